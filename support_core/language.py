"""The languages the assistant chats in, and which one a customer's message is written in.

A conversation starts in the language of the page the widget sits on (its hint) and follows the
customer: a message switches it only when it is long enough to tell Danish from English with
confidence. "ok", "ja", an order number or a list of system names never does.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from support_core.problems import LOG_STATUSES
from support_core.redaction import MARKER
from support_core.systems import without_system_names

LANGUAGES = ("en", "da")
DEFAULT_LANGUAGE = "en"
#: The slot (and the NLU entity filling it) that holds a conversation's language.
LANGUAGE_SLOT = "language"
#: Words of two or more letters a message needs (system names not counted) before it can set or
#: switch the language.
MIN_WORDS = 3
#: How sure the detector must be, between Danish and English only.
MIN_CONFIDENCE = 0.65
#: Letters only Danish (of the two) uses: one of them is enough to say Danish.
DANISH_LETTERS = re.compile(r"[æøåÆØÅ]")

_WORD = re.compile(r"[^\W\d_]{2,}")
#: What reads the same in both languages: addresses, links, anything with a digit in it (order
#: numbers, SKUs), the dashboard log's statuses customers quote in English ("Skipped - order not
#: in allowed states") and the markers of removed data ("[card number removed]").
_NO_LANGUAGE = re.compile(
    r"\S*[@/\d]\S*|" + MARKER.pattern + "|"
    + "|".join(f"(?:{status.pattern})" for status in LOG_STATUSES), re.IGNORECASE,
)

_LINGUA = {Language.DANISH: "da", Language.ENGLISH: "en"}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA).build()


def language_code(value: object) -> str | None:
    """The supported language a hint names ("da", "da-DK", "EN"), or None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower()[:2]
    return code if code in LANGUAGES else None


def _content_words(text: str) -> list[str]:
    """The words that tell the language: not system names, numbers, addresses, quoted log
    statuses, removal markers, nor names with æ/ø/å ("Søren", "Århus")."""
    words = _WORD.findall(_NO_LANGUAGE.sub(" ", without_system_names(text)))
    return [word for word in words if not (word[0].isupper() and DANISH_LETTERS.search(word))]


def detect(text: str) -> str | None:
    """The language a message is clearly written in, or None when it is too short to tell."""
    words = _content_words(text or "")
    if len(words) < MIN_WORDS:
        return None
    if any(DANISH_LETTERS.search(word) for word in words):
        return "da"
    best = _detector().compute_language_confidence_values(" ".join(words))[0]
    return _LINGUA[best.language] if best.value >= MIN_CONFIDENCE else None


#: How customers name each language when they ask to chat in it ("på dansk", "in English").
_LANGUAGE_NAMES = {"dansk": "da", "danish": "da", "engelsk": "en", "english": "en"}
_NAMED = re.compile(r"\b(" + "|".join(_LANGUAGE_NAMES) + r")\b", re.IGNORECASE)
#: The language asked for ("in Danish", "på engelsk", "to English").
_WANTED = re.compile(r"\b(?:in|into|to|på|paa|til)\s+(" + "|".join(_LANGUAGE_NAMES) + r")\b",
                     re.IGNORECASE)
#: A language named as the one not wanted ("instead of English", "I don't speak Danish").
_NOT_WANTED = re.compile(
    r"\b(?:instead of|rather than|than|not|don'?t (?:speak|understand|read)|"
    r"i stedet for|frem for|end|ikke|forstår ikke|taler ikke)\s+(?:\w+\s+)?("
    + "|".join(_LANGUAGE_NAMES) + r")\b", re.IGNORECASE)


def _languages_named(pattern: re.Pattern[str], text: str) -> set[str]:
    return {_LANGUAGE_NAMES[name.lower()] for name in pattern.findall(text)}


def named_language(text: str) -> str | None:
    """The language a message asks for ("kan vi skrive dansk?", "in English instead of Danish"):
    the one after "in"/"på", else the one language named and not refused; None if unclear."""
    text = text or ""
    wanted = _languages_named(_WANTED, text)
    if len(wanted) == 1:
        return wanted.pop()
    refused = _languages_named(_NOT_WANTED, text)
    named = _languages_named(_NAMED, text) - refused
    if len(named) == 1:
        return named.pop()
    if not named and len(refused) == 1:
        return next(code for code in LANGUAGES if code not in refused)
    return None


def message_language(text: str, hint: object = None) -> str | None:
    """The language a message sets: its own if it is clear, else the page's hint, else None."""
    return detect(text) or language_code(hint)


#: Longest Accept-Language header read; a longer one is cut, not parsed whole.
MAX_ACCEPT_LANGUAGE_LENGTH = 1000


def preferred_language(accept_language: str) -> str:
    """The language a browser's Accept-Language header prefers; English on a tie or if neither.

    "da-DK,da;q=0.9,en;q=0.8" gives "da"; "en-US,da;q=0.5" and "de" give "en".
    """
    weights = dict.fromkeys(LANGUAGES, 0.0)
    for entry in accept_language[:MAX_ACCEPT_LANGUAGE_LENGTH].split(","):
        tag, _, parameters = entry.strip().partition(";")
        language = tag.strip().split("-")[0].lower()
        if language in weights:
            weights[language] = max(weights[language], _quality(parameters))
    best = max(weights.values())
    if best <= 0 or weights[DEFAULT_LANGUAGE] == best:
        return DEFAULT_LANGUAGE
    return next(language for language in LANGUAGES if weights[language] == best)


def _quality(parameters: str) -> float:
    """The q value of one Accept-Language entry ("q=0.8"); 1 when absent, 0 when unreadable."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


#: How the support team reads a language code (the inbox and the helpdesk ticket are in English).
LANGUAGE_NAMES = {"en": "English", "da": "Danish"}


def language_of(value: object) -> str:
    """A conversation's language from its slot value: a supported code, else the default."""
    return language_code(value) or DEFAULT_LANGUAGE


def conversation_language(slots: Mapping[str, Any]) -> str:
    """The language of a conversation from its slots (a tracker's ``slots``)."""
    return language_of(slots.get(LANGUAGE_SLOT))


def variation_language(variation: dict) -> str:
    """The language a response variation of domain.yml is for: that of its condition on the
    language slot, else English (the variation without a condition)."""
    for condition in variation.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == LANGUAGE_SLOT:
            return str(condition.get("value"))
    return DEFAULT_LANGUAGE


def variation_in(variations: list[dict], language: str) -> dict:
    """The variation of a response for ``language``, the English one if it has none, else {}."""
    by_language = {variation_language(item): item for item in reversed(variations)}
    return by_language.get(language) or by_language.get(DEFAULT_LANGUAGE) or {}
