"""Pull case details (email, order and product numbers, urgency) out of what customers type.

Plain functions on strings, used by the ticket form's validation; customers write in English or
Danish, so the word lists hold both.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from support_core.redaction import MARKER, redact

#: Longest description kept on a ticket; equals ``description.maxLength`` in the ticket schema.
MAX_DESCRIPTION_LENGTH = 5000

#: Longest order number accepted; longer digit runs are account numbers, barcodes and the like.
MAX_ORDER_ID_LENGTH = 20

#: Longest product number accepted; equals the example ``maxLength`` in the ticket schema.
MAX_PRODUCT_ID_LENGTH = 40

# ---------------------------------------------------------------------------------------------
# Email

_EMAIL_LOCAL = r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
_EMAIL_DOMAIN = r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[A-Za-z]{2,24}"
_EMAIL_IN_TEXT = re.compile(rf"(?<![\w.+-]){_EMAIL_LOCAL}@{_EMAIL_DOMAIN}(?![\w-])")
_EMAIL_EXACT = re.compile(rf"{_EMAIL_LOCAL}@{_EMAIL_DOMAIN}")


def is_valid_email(text: str) -> bool:
    """Tell whether the whole text (ignoring surrounding blanks) is one plausible email address."""
    if not isinstance(text, str):
        return False
    candidate = text.strip()
    if len(candidate) > 254 or not _EMAIL_EXACT.fullmatch(candidate):
        return False
    local = candidate.rsplit("@", 1)[0]
    return len(local) <= 64


def extract_emails(text: str) -> list[str]:
    """Find the email addresses in free text, first occurrence first, without duplicates."""
    found: list[str] = []
    seen: set[str] = set()
    for match in _EMAIL_IN_TEXT.finditer(text or ""):
        address = match.group(0)
        if is_valid_email(address) and address.lower() not in seen:
            seen.add(address.lower())
            found.append(address)
    return found


# ---------------------------------------------------------------------------------------------
# Order and product numbers

_MONTH = (
    r"(?:jan(?:uary|uar)?|feb(?:ruary|ruar)?|mar(?:ch|ts)?|apr(?:il)?|maj|may|jun[ei]?|jul[yi]?"
    r"|aug(?:ust)?|sep(?:t|tember)?|o[ck]t(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_CURRENCY = r"(?:kr\.?|kroner|dkk|eur|euro|usd|sek|nok|gbp|€|\$|£)"

# Spans that hold digits but are clearly not order or product numbers; they are blanked out
# before the text is split into tokens.
_NOT_NUMBERS = [
    MARKER,
    re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE),
    _EMAIL_IN_TEXT,
    # Dates with a month name: "27 November 2024", "Nov 27th, 2024", "november 2024".
    re.compile(rf"\b\d{{1,2}}\.?\s+{_MONTH}(?:\s+\d{{2,4}})?(?!\w)", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+\d{{4}}\b", re.IGNORECASE),
    # Numeric dates and times: 2024-11-27, 27/11/2024, 27.11.24, 10:30, kl. 10.30.
    re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}\b"),
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),
    re.compile(r"\bkl\.?\s*\d{1,2}(?:[.:]\d{2})?\b", re.IGNORECASE),
    # Phone numbers: +45 12 34 56 78, tlf. 12345678, 12 34 56 78, (555) 123-4567.
    re.compile(r"\+\d[\d\s()-]{6,}\d"),
    re.compile(
        r"\b(?:tlf|tel|telefon|telephone|phone|mobil|mobile|mob|ring|call)\.?"
        r"(?:\s*(?:nr|no|number|nummer)\.?)?(?:\s+(?:me\s+)?(?:at|on|på))?\s*[:.]?\s*"
        r"\+?\d[\d\s-]{6,}\d",
        re.IGNORECASE,
    ),
    re.compile(r"\b\d{2}(?:[\s-]\d{2}){3}\b"),
    re.compile(r"\(\d{2,4}\)\s*\d{3,4}[\s-]?\d{3,4}"),
    # Amounts: kr 499, 499 kr, 1.299,00, 499.00, $49, 12,500.
    re.compile(rf"(?<!\w){_CURRENCY}\s*\d[\d.,]*", re.IGNORECASE),
    re.compile(rf"\b\d[\d.,]*\s*(?:{_CURRENCY}|,-)(?!\w)", re.IGNORECASE),
    re.compile(r"\b\d+(?:[.,]\d{3})*[.,]\d{2}\b"),
    re.compile(r"\b\d{1,3}(?:[.,]\d{3})+\b"),
    re.compile(r"\b\d+(?:[.,]\d+)?\s*%"),
]

_TOKENS = re.compile(
    r"(?P<stop>[.!?;]+(?=\s|$)|\n)|(?P<token>#?[^\W_]+(?:[-_/.:][^\W_]+)*)", re.UNICODE
)

_ORDER_WORDS = {
    "order", "orders", "ordre", "ordrer", "ordren", "ordrene", "ordrenummer", "ordrenumre",
    "ordrenr", "ordernumber", "ordernr", "bestilling", "bestillinger", "bestillingen",
    "purchase", "salesorder",
}
_PRODUCT_WORDS = {
    "product", "products", "produkt", "produkter", "produktet", "produkterne", "produktnummer",
    "produktnr", "sku", "skus", "varenummer", "varenumre", "varenr", "vare", "varer", "varen",
    "item", "items", "article", "articles", "artikel", "artikler", "ean", "variant", "variants",
    "varianter", "varianten",
}
_OTHER_WORDS = {
    "invoice", "invoices", "faktura", "fakturaer", "fakturanr", "fakturanummer", "kreditnota",
    "creditnote", "customer", "customers", "kunde", "kunder", "kundenr", "kundenummer", "cvr",
    "vat", "moms", "voucher", "bilag", "account", "konto", "shipment", "tracking", "pakke",
    "ticket", "sag", "case", "version", "port", "error", "fejl", "fejlkode", "code", "kode",
}
_ABBREVIATED_WORDS = {
    "nr", "no", "ref", "tlf", "tel", "varenr", "ordrenr", "fakturanr", "kundenr", "produktnr",
    "ordernr", "art", "ca", "kl",
}
_PHONE_WORDS = {"tlf", "tel", "telefon", "phone", "mobil", "mobile", "ring", "call"}
_PRICE_WORDS = {"price", "pris", "prisen", "amount", "beløb", "beløbet", "total", "sum", "cost"}
_YEAR_WORDS = {
    "since", "in", "year", "siden", "år", "from", "until", "til", "fra", "before", "før",
}
_QUANTITY_WORDS = {
    "days", "day", "dage", "dag", "hours", "hour", "timer", "time", "minutes", "minute", "min",
    "minutter", "seconds", "second", "sekunder", "sek", "secs", "times", "gange", "gang",
    "weeks", "uger", "months", "måneder", "years", "år", "orders", "ordrer", "products",
    "produkter", "items", "varer", "stk", "pcs", "pieces", "styk", "errors", "fejl", "percent",
    "procent", "kr", "kroner", "dkk", "eur", "ms", "mb", "gb", "kb", "customers", "kunder",
    "lines", "linjer", "rows", "rækker", "users", "brugere", "shops", "webshops",
}
_ORDER_PREFIXES = {"SO", "ORD", "ORDER", "ORDRE", "PO", "WO", "WEB", "WC", "SHOP", "S", "O"}
_NOT_PRODUCTS = {
    "UTF-8", "UTF-16", "ISO-8859", "COVID-19", "B2B", "B2C", "24-7", "A-Z", "A4", "MP3", "MP4",
    "HTTP-1", "OAUTH-2", "OAUTH2", "TLS-1", "SHA-256", "IPV4", "IPV6", "H264", "WIN-10", "WIN-11",
}
_REFERENCE = re.compile(r"^IEX-\d{8}-[0-9A-Z]{4,8}$", re.IGNORECASE)
_PREFIXED_ORDER = re.compile(r"^([A-Za-z]{1,6})[-_]?(\d{3,})$")
_DIGITS_WITH_UNIT = re.compile(r"^\d+(?:st|nd|rd|th|mb|gb|kb|ms|px|kr|x|k|m|h|s|d)$", re.I)


def _blank_out_non_numbers(text: str) -> str:
    for pattern in _NOT_NUMBERS:
        text = pattern.sub(lambda match: " " * len(match.group(0)), text)
    return text


def _classified_tokens(text: str):
    """Yield (token, context, previous word, next word, following char) for every candidate.

    The context is what the customer last said the numbers are ("orders", "sku", "faktura"); it
    holds until the sentence ends or another such word comes.
    """
    # A card number, key or password is never an order or product number.
    masked = _blank_out_non_numbers(redact(text or "").text)
    matches = list(_TOKENS.finditer(masked))
    context: str | None = None
    one_shot: str | None = None
    previous_word = ""
    for index, match in enumerate(matches):
        if match.group("stop"):
            # "varenr. 889", "order no. 10023": a dot after such a word ends no sentence.
            if match.group("stop") != "." or previous_word not in _ABBREVIATED_WORDS:
                context, one_shot, previous_word = None, None, ""
            continue
        token = match.group("token")
        word = token.lower()
        head = re.split(r"[-_]", word)[0]
        if not any(char.isdigit() for char in word):
            if word in _ORDER_WORDS or ("-" in word and head in _ORDER_WORDS):
                context, one_shot = "order", None
            elif word in _PRODUCT_WORDS or ("-" in word and head in _PRODUCT_WORDS):
                context, one_shot = "product", None
            elif word in _OTHER_WORDS:
                context, one_shot = "other", None
            elif word in _PHONE_WORDS:
                one_shot = "phone"
            elif word in _PRICE_WORDS:
                one_shot = "price"
            elif re.search(r"[-_]", token) and not any(char.islower() for char in token):
                yield token, one_shot or context, previous_word, "", ""
            previous_word = word
            continue
        following = matches[index + 1] if index + 1 < len(matches) else None
        next_word = (following.group("token") or "").lower() if following else ""
        after = masked[match.end():match.end() + 2].lstrip()[:1]
        yield token, one_shot or context, previous_word, next_word, after
        one_shot = None
        previous_word = word


def _is_year(body: str, previous_word: str) -> bool:
    return len(body) == 4 and 1990 <= int(body) <= 2099 and previous_word in _YEAR_WORDS


def extract_order_ids(text: str) -> list[str]:
    """Find order numbers in free text ("orders 10023, 10024 and #10031", "SO-10023").

    Dates, times, phone numbers, amounts, quantities ("150 orders"), numbers of one or two digits
    and runs longer than 20 characters are not order numbers; nor are numbers the customer calls
    a product, invoice or customer number.
    """
    found: list[str] = []
    for token, context, previous_word, next_word, after in _classified_tokens(text):
        body = token.lstrip("#")
        if not body or len(body) > MAX_ORDER_ID_LENGTH or any(char in body for char in "/.:"):
            continue
        if body.isdigit():
            if (
                len(body) < 3
                or context in {"product", "other", "phone", "price"}
                or next_word in _QUANTITY_WORDS
                or after == "%"
                or _is_year(body, previous_word)
            ):
                continue
            candidate = body
        else:
            prefixed = _PREFIXED_ORDER.match(body)
            if prefixed and prefixed.group(1).upper() in _ORDER_PREFIXES:
                candidate = body.upper()
            elif (
                context == "order"
                and not _REFERENCE.match(body)
                and not re.fullmatch(r"[\d_-]+", body)
                and len(re.sub(r"\D", "", body)) >= 3
            ):
                candidate = body
            else:
                continue
        if candidate not in found:
            found.append(candidate)
    return found


def _looks_like_product(body: str, context: str | None) -> bool:
    has_digit = any(char.isdigit() for char in body)
    has_alpha = any(char.isalpha() for char in body)
    has_separator = "-" in body or "_" in body
    if (
        len(body) < 2
        or len(body) > MAX_PRODUCT_ID_LENGTH
        or any(char in body for char in "/.:")
        or body.upper() in _NOT_PRODUCTS
        or _REFERENCE.match(body)
        or _DIGITS_WITH_UNIT.match(body)
        or re.fullmatch(r"[\d_-]+", body) and has_separator
    ):
        return False
    prefixed = _PREFIXED_ORDER.match(body)
    if prefixed and prefixed.group(1).upper() in _ORDER_PREFIXES and context != "product":
        return False
    if body.isdigit():
        return context == "product"
    if context == "order" and sum(char.isdigit() for char in body) >= 3:
        return False  # "order 4471-B" names an order
    if context == "product":
        return has_digit or (has_separator and not any(char.islower() for char in body))
    if has_separator:
        segments = re.split(r"[-_]", body)
        if has_digit:
            return True
        return len(segments) >= 2 and has_alpha and not any(char.islower() for char in body)
    digits = sum(char.isdigit() for char in body)
    return (
        has_alpha
        and digits >= 2
        and len(body) >= 4
        and not any(char.islower() for char in body)
    )


def extract_product_ids(text: str) -> list[str]:
    """Find product numbers (SKUs) in free text: TS-RED-L, 4471-B, SKU-889, "sku 889".

    Plain numbers count only after a product word ("product 889", "varenr. 889"); order numbers
    such as SO-10023 are left to extract_order_ids.
    """
    found: list[str] = []
    for token, context, _previous, next_word, after in _classified_tokens(text):
        body = token.lstrip("#")
        if body.isdigit() and (next_word in _QUANTITY_WORDS or after == "%"):
            continue
        if _looks_like_product(body, context) and body not in found:
            found.append(body)
    return found


# ---------------------------------------------------------------------------------------------
# What the customer says about examples and urgency

_NO_EXAMPLE_EXACT = re.compile(
    r"^(?:no|nope|nah|none|nothing|no thanks|no thank you|not really|nej|nej tak|nix|ingen"
    r"|intet|ikke nogen|n/?a|skip|pass|-+)$"
)
_NO_EXAMPLE_PHRASES = [
    r"\b(?:don'?t|do not|doesn'?t|does not|can'?t|cannot|haven'?t|have not|have no|has no)\b"
    r"[\w\s']{0,30}\b(?:examples?|orders?|numbers?|specific|products?|skus?|one|any)\b",
    r"\bno (?:specific |particular |concrete |single )?(?:examples?|orders?|order numbers?"
    r"|products?|skus?|numbers?)\b",
    r"\b(?:not|isn'?t|is not|it'?s not)\b[\w\s']{0,20}\b(?:specific|particular|single|one)"
    r" (?:orders?|products?)\b",
    r"\b(?:all|every|alle|samtlige) (?:of )?(?:the |my |mine |vores )?(?:orders?|ordrer"
    r"|products?|produkter)\b",
    r"\b(?:har ikke|har ingen|ingen eksempl\w*|intet eksempel|ikke noget eksempel"
    r"|ingen (?:bestemt |specifik )?(?:ordre|ordrer|produkt\w*)|ved (?:det )?ikke"
    r"|aner (?:det )?ikke|har ikke noget|det ved jeg ikke)\b",
    r"\bnot applicable\b",
    r"\b(?:i )?(?:don'?t|do not) know\b",
]
_NO_EXAMPLE = re.compile("|".join(_NO_EXAMPLE_PHRASES))

_URGENCY_NEGATED = re.compile(
    r"\b(?:not|no|isn'?t|is not|ikke|ingen|nothing)\s+(?:\w+\s+){0,2}?"
    r"(?:urgent\w*|akut\w*|rush|hurry|haste|hast|critical|kritisk\w*|emergency)\b"
)
_URGENCY = re.compile(
    r"\burgent(?:ly)?\b|\basap\b|\bas soon as possible\b|\bemergency\b|\bcritical\b"
    r"|\bhurry\b|\bakut(?:t)?\b|\bhaster\b|\bhurtigst muligt\b|\bkritisk\b|\bpresserende\b"
    r"|\bnødsituation\b|\blosing (?:money|sales|orders|customers)\b"
    r"|\bmister (?:penge|salg|ordrer|kunder)\b"
    r"|\b(?:shop|webshop|site|website|store|business|butik|butikken|forretning\w*)\b[\w\s']{0,20}"
    r"\b(?:is |er )?(?:down|nede|stopped|stoppet|offline)\b"
)


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").lower().replace("’", "'")).strip()


def says_no_example(text: str) -> bool:
    """Tell whether the customer answers that there is no order or product example to give."""
    if extract_order_ids(text) or extract_product_ids(text):
        return False
    normalized = _normalized(text)
    if _NO_EXAMPLE_EXACT.match(normalized.strip(" .!,")):
        return True
    return bool(_NO_EXAMPLE.search(normalized))


def mentions_urgency(text: str) -> bool:
    """Tell whether the customer asks for urgent handling ("urgent", "ASAP", "akut", shop down)."""
    normalized = _URGENCY_NEGATED.sub(" ", _normalized(text))
    return bool(_URGENCY.search(normalized))


# ---------------------------------------------------------------------------------------------
# Plain text for stored descriptions

_SKIPPED_ELEMENTS = {
    "script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg",
    "math", "textarea", "select",
}
_BLOCK_ELEMENTS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "form",
}
# Only real HTML elements count as markup, so "<ordernumber>" or "x<y" typed as text survives.
_HTML_ELEMENTS = _SKIPPED_ELEMENTS | _BLOCK_ELEMENTS | {
    "html", "body", "meta", "link", "base", "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code",
    "del", "dfn", "em", "font", "i", "img", "input", "button", "ins", "kbd", "label", "mark",
    "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var", "wbr", "caption", "col", "colgroup", "tbody", "td", "tfoot", "th", "thead", "dl",
    "main", "nav", "aside", "figure", "figcaption", "details", "summary", "picture", "source",
    "video", "audio", "track", "canvas", "embed", "param", "map", "area", "option", "optgroup",
    "fieldset", "legend", "output", "progress", "meter", "center", "frame", "frameset", "applet",
    "marquee", "blink", "dialog", "slot", "portal", "xmp", "plaintext", "listing", "noembed",
    "noframes", "address", "hgroup", "menu", "search",
}
_LEFTOVER_TAG = re.compile(
    r"</?(?:" + "|".join(sorted(_HTML_ELEMENTS)) + r")\b[^>]*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG_LIKE = re.compile(r"<(?:[!?]|/?(?P<name>[A-Za-z][A-Za-z0-9]*))")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def _keep_as_text(self) -> None:
        raw = self.get_starttag_text() or ""
        if "<" not in raw[1:]:
            self.handle_data(raw)

    def handle_starttag(self, tag, attrs):
        if tag not in _HTML_ELEMENTS:
            self._keep_as_text()
        elif tag in _SKIPPED_ELEMENTS:
            self.skipping += 1
        elif tag in _BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag not in _HTML_ELEMENTS:
            self._keep_as_text()
        elif tag in _BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag not in _HTML_ELEMENTS:
            self.handle_data(f"</{tag}>")
        elif tag in _SKIPPED_ELEMENTS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _text_of(markup: str) -> str:
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return "".join(collector.parts)


def strip_markup(text: str) -> str:
    """Turn text that may hold HTML into plain text fit to store on a ticket.

    No tags, no script or style content, and no card numbers, security codes, keys or passwords
    (support_core.redaction), whichever way the text came.
    """
    plain = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    # Entities decoded in one pass can form new tags ("&lt;b&gt;"); a few passes remove those too.
    for _ in range(3):
        if "<" not in plain and "&" not in plain:
            break
        plain = _text_of(plain)
        if not any(
            match.group("name") is None or match.group("name").lower() in _HTML_ELEMENTS
            for match in _TAG_LIKE.finditer(plain)
        ):
            break
    plain = _LEFTOVER_TAG.sub("", plain)
    plain = _CONTROL_CHARACTERS.sub("", plain).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in plain.split("\n")]
    return redact(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()).text


def cap_length(text: str, limit: int = MAX_DESCRIPTION_LENGTH) -> str:
    """Shorten text to at most ``limit`` characters, cutting at a word and marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", max(0, limit - 100))
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + "…"


def clean_description(text: str, limit: int = MAX_DESCRIPTION_LENGTH) -> str:
    """Plain, length-capped text for a ticket description."""
    return cap_length(strip_markup(text), limit)
