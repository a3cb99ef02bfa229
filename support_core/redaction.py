"""Payment data and secrets that customers paste, found and replaced before anything stores them.

Card numbers (Luhn-checked, with a card brand's prefix, length and grouping), the security code
written with them, API keys, access tokens and passwords become a marker such as ``[card number
removed]``. The chat channel redacts every message before Rasa sees it; the transcript reader,
tickets and the inbox redact again, so nothing written before this existed is passed on either.
Redacting a redacted text changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CARD_NUMBER = "card number"
SECURITY_CODE = "security code"
SECRET = "API key or token"
PASSWORD = "password"
#: Every kind of data removed, in the order a Redaction lists them.
KINDS = (CARD_NUMBER, SECURITY_CODE, SECRET, PASSWORD)


def marker(kind: str) -> str:
    """What replaces data of one kind in the text."""
    return f"[{kind} removed]"


#: Every marker, as it appears in a redacted text.
MARKER = re.compile("|".join(re.escape(marker(kind)) for kind in KINDS))

#: Card brands: the prefix their numbers start with and the lengths they have. 13-digit numbers
#: (old Visa) are left alone: EAN-13 barcodes have that length and a tenth pass the Luhn check.
_CARD_BRANDS = (
    ("Visa", r"4", (16, 19)),
    ("Mastercard", r"5[1-5]|2[2-7]", (16,)),
    ("American Express", r"3[47]", (15,)),
    ("Diners Club", r"3(?:0[0-5]|[689])", (14, 16)),
    ("Discover", r"6(?:011|5|4[4-9])", (16, 17, 18, 19)),
    ("JCB", r"35", (16, 17, 18, 19)),
    ("UnionPay", r"62", (16, 17, 18, 19)),
    ("Maestro and Dankort", r"5[06-9]|6", (16, 17, 18, 19)),
)
_LONGEST_CARD = max(length for _, _, lengths in _CARD_BRANDS for length in lengths)
#: How card numbers are grouped when written with spaces or dashes: fours (the last group may be
#: shorter), or American Express and Diners Club's 4-6-5 and 4-6-4. Lists of order numbers
#: ("400233 400234 400235") are grouped otherwise and so are never taken for a card.
_CARD_LAYOUTS = re.compile(r"(?:4,)+[1-4]|4,6,[45]")
#: Digits in groups separated by single spaces or dashes, as card numbers are written.
_DIGIT_GROUPS = re.compile(r"(?<![\w.-])\d+(?:(?: {1,3}|[.-])\d+)*(?![\w-]|\.\d)")
#: What may stand between the groups of a card number: up to three spaces, a dash or a dot.
_GROUP_SEPARATOR = r" {1,3}|[.-]"

_SECURITY_CODE = re.compile(
    r"\b(cvc2?|cvv2?|security code|card code|sikkerhedskode|kontrolcifre|kontrolkode)\b"
    r"(\s*(?:is|er|:|=|-)?\s*)(\d{3,4})\b",
    re.IGNORECASE,
)
#: A lone 3-4 digit number just after a card number (``4571 ... 0001 123``, also after the expiry
#: date: ``... 0001 12/27 123``) is its security code. Other words in between end the search.
_CODE_AFTER_CARD = re.compile(
    "(" + re.escape(marker(CARD_NUMBER))
    + r"(?:[\s,;:/-]|\b(?:exp\w*|udl\w*|gyldig\w*|valid\w*|and|og|date|dato|code|kode)\b"
    r"|(?<!\d)\d{1,2}\s?/\s?\d{2,4}(?![\d/]))*?)"
    r"(?<![\d/])(\d{3,4})(?![\d/])",
    re.IGNORECASE,
)

_KNOWN_KEY_FORMATS = re.compile(
    r"\b(?:"
    r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"  # Stripe keys
    r"|whsec_[A-Za-z0-9]{20,}"  # Stripe webhook secrets
    r"|shp(?:at|ss|ca|pa)_[A-Fa-f0-9]{20,}"  # Shopify admin tokens
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key id
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API key
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JSON web token
    r")"
)
_BEARER = re.compile(r"\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{12,})", re.IGNORECASE)
_SECRET_LABEL = (
    r"\b(api[ _-]?key|api[ _-]?token|access[ _-]?token|auth[ _-]?token|token|secret"
    r"|client[ _-]?secret|(?:aws[ _-]?)?secret[ _-]?access[ _-]?key|private[ _-]?key|app[ _-]?key"
    r"|api[ _-]?nøgle|nøgle|noegle)\b"
)
#: After "token:" or "token is" any long value is the secret; after a bare space only one
#: that mixes letters and digits ("the token field" stays).
_LABELLED_SECRET = re.compile(
    _SECRET_LABEL + r"(\s*(?::|=|\bis\b|\ber\b)\s*)([A-Za-z0-9._~+/=-]{12,})"
    r"|" + _SECRET_LABEL + r"(\s+)((?=[\w.~+/=-]*\d)(?=[\w.~+/=-]*[A-Za-z])[\w.~+/=-]{16,})",
    re.IGNORECASE,
)

_PASSWORD_LABEL = (
    r"\b(password|passwd|pwd|adgangskoden?|kodeordet|kodeord|passwordet|pinkoden?"
    r"|(?:min|mit|vores|our|my) (?:kode|pin))\b"
)
#: What customers say about a password rather than what it is: "my password is wrong",
#: "min adgangskode er forkert". English participles ("changed", "working") count as such too.
_PASSWORD_DESCRIPTIONS = (
    "wrong|incorrect|invalid|not|no|never|forgotten|lost|correct|right|fine|ok|okay|the|a|an"
    "|my|same|too|very|also|still|now|empty|new|old|case|weak|strong|short|long|different"
    "|unknown|gone|set|reset|sent|been|in|on|for|to|at|that|this|it|what|there|here|shown"
    "|hidden|forkert|ikke|ugyldig|glemt|mistet|korrekt|rigtig|rigtigt|fin|den|det|en|et|samme"
    "|også|stadig|nu|låst|tom|ny|nye|gammel|gamle|svag|stærk|kort|lang|anderledes|ukendt"
    "|væk|sat|sendt|blevet|i|på|til|der|her|gemt|skjult|vist|udløbet|ændret|nulstillet|spærret"
    "|blokeret|skiftet|opdateret|slettet"
)
#: A password after "password:", or after "password is" / "adgangskode er" unless the word
#: there describes it. A marker already in the text is no password.
_PASSWORD = re.compile(
    _PASSWORD_LABEL + r"(\s*(?:(?:is|er)\s*)?(?::|=)\s*)(?!\[)([^\s,;]{3,})"
    r"|" + _PASSWORD_LABEL + r"(\s+(?:is|er)\s+)(?!\[)"
    rf"(?!(?:{_PASSWORD_DESCRIPTIONS})\b|\w+(?:ed|ing)\b)([^\s,;]{{3,}})",
    re.IGNORECASE,
)
#: Long random-looking strings (upper and lower case letters and digits) are keys even without
#: a label; identifiers such as lower-case UUIDs and tracking numbers are not mixed like that.
_RANDOM_STRING = re.compile(r"(?<![\w/.-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[a-z])"
                            r"(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{32,}(?![\w/.-])")


@dataclass(frozen=True)
class Redaction:
    """A text with its sensitive parts replaced, and what kinds of data were removed."""

    text: str
    #: What was removed, each kind once, in the order of the kinds above (empty: nothing).
    kinds: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def passes_luhn(digits: str) -> bool:
    """Whether a string of digits has a valid Luhn check digit, as every card number has."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        digit = int(character)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def looks_like_card_number(candidate: str) -> bool:
    """A brand's prefix and length, a card's grouping and a valid check digit.

    ``candidate`` is the number as written: unbroken, or in groups separated by spaces or dashes.
    """
    groups = re.split(_GROUP_SEPARATOR, candidate.strip())
    digits = "".join(groups)
    if not digits.isdigit() or not passes_luhn(digits):
        return False
    if len(groups) > 1 and not _CARD_LAYOUTS.fullmatch(",".join(str(len(g)) for g in groups)):
        return False
    return any(
        re.match(prefix, digits) and len(digits) in lengths for _, prefix, lengths in _CARD_BRANDS
    )


def _card_numbers_in(written: str) -> tuple[str, bool]:
    """Replace the card numbers in a run of digit groups; the other groups stay as written."""
    pieces = re.split(f"({_GROUP_SEPARATOR})", written)
    numbers, separators = pieces[0::2], pieces[1::2] + [""]
    kept: list[str] = []
    start, replaced = 0, False
    while start < len(numbers):
        card_end = None
        candidate, length = "", 0
        for end in range(start, len(numbers)):
            length += len(numbers[end])
            if length > _LONGEST_CARD:
                break
            candidate += (separators[end - 1] if end > start else "") + numbers[end]
            if looks_like_card_number(candidate):
                card_end = end
        if card_end is None:
            kept += [numbers[start], separators[start]]
            start += 1
            continue
        kept += [marker(CARD_NUMBER), separators[card_end]]
        start, replaced = card_end + 1, True
    return "".join(kept), replaced


def redact(text: str) -> Redaction:
    """Replace card numbers, security codes, keys, tokens and passwords in ``text``."""
    found: set[str] = set()

    def replace_cards(match: re.Match) -> str:
        written, card = _card_numbers_in(match.group(0))
        if card:
            found.add(CARD_NUMBER)
        return written

    def replace_value(kind: str):
        def replace(match: re.Match) -> str:
            # Patterns with two alternatives number their groups 1-3 and 4-6.
            label, separator = match.group(1), match.group(2)
            if label is None:
                label, separator = match.group(4), match.group(5)
            found.add(kind)
            return label + separator + marker(kind)
        return replace

    def replace_whole(kind: str):
        def replace(match: re.Match) -> str:
            found.add(kind)
            return marker(kind)
        return replace

    def replace_code_after_card(match: re.Match) -> str:
        found.add(SECURITY_CODE)
        return match.group(1) + marker(SECURITY_CODE)

    result = _DIGIT_GROUPS.sub(replace_cards, text)
    result = _SECURITY_CODE.sub(replace_value(SECURITY_CODE), result)
    result = _CODE_AFTER_CARD.sub(replace_code_after_card, result)
    result = _KNOWN_KEY_FORMATS.sub(replace_whole(SECRET), result)
    result = _BEARER.sub(replace_value(SECRET), result)
    result = _PASSWORD.sub(replace_value(PASSWORD), result)
    result = _LABELLED_SECRET.sub(replace_value(SECRET), result)
    result = _RANDOM_STRING.sub(replace_whole(SECRET), result)
    kinds = tuple(kind for kind in KINDS if kind in found)
    return Redaction(result, kinds)
