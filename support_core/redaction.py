"""Payment data and secrets that customers paste, found and replaced before anything stores them.

Card numbers (Luhn-checked, with a card brand's prefix and length), the security code written
with them, API keys, access tokens and passwords become a marker such as ``[card number
removed]``. The chat channel redacts every message before Rasa sees it; tickets and transcripts
redact again, so nothing written before this existed is passed on either.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CARD_NUMBER = "card number"
SECURITY_CODE = "security code"
SECRET = "API key or token"
PASSWORD = "password"

#: Card brands by prefix and the lengths their numbers have. 13-digit numbers are left alone:
#: EAN-13 barcodes (product numbers) have that length and some would pass the Luhn check.
_CARD_PREFIXES = re.compile(r"^(4|5[0-5]|2[2-7]|3[0478]|35|6)")
_CARD_LENGTHS = range(14, 20)
#: Digits in groups separated by single spaces or dashes, as card numbers are written.
_DIGIT_GROUPS = re.compile(r"(?<![\w-])\d+(?:[ -]\d+)*(?![\w-])")

_SECURITY_CODE = re.compile(
    r"\b(cvc2?|cvv2?|cid|security code|card code|sikkerhedskode|kontrolcifre)\b"
    r"(\s*(?:is|er|:|=|-)?\s*)(\d{3,4})\b",
    re.IGNORECASE,
)
#: A lone 3-4 digit number right after a card number (``4571 ... 1234 123``) is its CVC.
_CODE_AFTER_CARD = re.compile(r"(\[card number removed\][^\d\n]{0,20}?)(?<!\d)(\d{3,4})(?!\d)")

_KNOWN_KEY_FORMATS = re.compile(
    r"\b(?:"
    r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"  # Stripe
    r"|shp(?:at|ss|ca|pa)_[A-Fa-f0-9]{20,}"  # Shopify admin tokens
    r"|gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JSON web token
    r")"
)
_BEARER = re.compile(r"\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{12,})", re.IGNORECASE)
_SECRET_LABEL = (
    r"\b(api[ _-]?key|api[ _-]?token|access[ _-]?token|auth[ _-]?token|token|secret"
    r"|client[ _-]?secret|private[ _-]?key|app[ _-]?key|nøgle|noegle)\b"
)
#: After "token:" or "token is" any long value is the secret; after a bare space only one
#: that mixes letters and digits ("the token field" stays).
_LABELLED_SECRET = re.compile(
    _SECRET_LABEL + r"(\s*(?::|=|\bis\b|\ber\b)\s*)([A-Za-z0-9._~+/=-]{12,})"
    r"|" + _SECRET_LABEL + r"(\s+)((?=[\w.~+/=-]*\d)(?=[\w.~+/=-]*[A-Za-z])[\w.~+/=-]{16,})",
    re.IGNORECASE,
)
#: A password after "password:" / "password is"; a plain word there ("password is wrong") is
#: not one unless it has a digit or a symbol in it.
_PASSWORD = re.compile(
    r"\b(password|passwd|pwd|adgangskode|kodeord|kode)\b"
    r"(\s*(?::|=)\s*)([^\s,;]{4,})"
    r"|\b(password|passwd|pwd|adgangskode|kodeord|kode)\b"
    r"(\s+(?:is|er)\s+)((?=[^\s,;]*[\d!#$%&*?@^~])[^\s,;]{4,})",
    re.IGNORECASE,
)
#: Long random-looking strings (letters and digits mixed) are keys even without a label.
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


def marker(kind: str) -> str:
    """What replaces data of one kind in the text."""
    return f"[{kind} removed]"


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
    """A brand's prefix, a card's length and a valid check digit: more than chance allows."""
    digits = re.sub(r"\D", "", candidate)
    return (
        len(digits) in _CARD_LENGTHS
        and bool(_CARD_PREFIXES.match(digits))
        and passes_luhn(digits)
    )


def _card_numbers_in(written: str) -> tuple[str, bool]:
    """Replace the card numbers in a run of digit groups; the other groups stay as written."""
    groups = re.split(r"([ -])", written)
    numbers, separators = groups[0::2], groups[1::2]
    pieces: list[str] = []
    start, replaced = 0, False
    while start < len(numbers):
        card_end = None
        digits = ""
        for end in range(start, len(numbers)):
            digits += numbers[end]
            if len(digits) > max(_CARD_LENGTHS):
                break
            if looks_like_card_number(digits):
                card_end = end
        if card_end is None:
            pieces.append(numbers[start])
            if start < len(separators):
                pieces.append(separators[start])
            start += 1
            continue
        pieces.append(marker(CARD_NUMBER))
        if card_end < len(separators):
            pieces.append(separators[card_end])
        start, replaced = card_end + 1, True
    return "".join(pieces), replaced


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

    result = _DIGIT_GROUPS.sub(replace_cards, text)
    result = _SECURITY_CODE.sub(replace_value(SECURITY_CODE), result)
    if CARD_NUMBER in found:
        result = _CODE_AFTER_CARD.sub(
            lambda match: (found.add(SECURITY_CODE), match.group(1) + marker(SECURITY_CODE))[1],
            result,
        )
    result = _KNOWN_KEY_FORMATS.sub(replace_whole(SECRET), result)
    result = _BEARER.sub(replace_value(SECRET), result)
    result = _PASSWORD.sub(replace_value(PASSWORD), result)
    result = _LABELLED_SECRET.sub(replace_value(SECRET), result)
    result = _RANDOM_STRING.sub(replace_whole(SECRET), result)
    kinds = tuple(kind for kind in (CARD_NUMBER, SECURITY_CODE, SECRET, PASSWORD) if kind in found)
    return Redaction(result, kinds)
