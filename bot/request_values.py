"""Reading values that arrive in a request: refused, never guessed, when malformed.

Each surface turns MalformedInput into a 400 of its own kind (JSON for the API, a page for the
inbox) whose text is the exception's message.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from sanic import Request, response
from sanic.response import HTTPResponse

#: Digits beyond which a number is certainly above any limit here (SQLite's integers have 19).
_MOST_DIGITS = 18


def is_valid_unicode(value: Any) -> bool:
    """Whether all text in a value read from JSON is valid Unicode: JSON lets through lone
    surrogates ("\\ud800") that SQLite, the conversation-id check and Rasa cannot encode."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class MalformedInput(ValueError):
    """A value the web app cannot read; the message names it and says what it expects."""


def whole_number(text: str | None, name: str, default: int, lowest: int, highest: int) -> int:
    """The number written in ASCII digits, at least lowest and at most highest (larger is cut).

    ``str.isdigit()`` also accepts digits such as "²" that ``int()`` refuses, hence isascii.
    """
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()):
        raise MalformedInput(f"{name} must be a whole number from {lowest}")
    value = highest if len(text) > _MOST_DIGITS else min(int(text), highest)
    if value < lowest:
        raise MalformedInput(f"{name} must be a whole number from {lowest}")
    return value


async def refuse_null_characters(request: Request) -> HTTPResponse | None:
    """A path with a NUL character names no page or file (the static files would fail on it)."""
    if "\x00" in unquote(request.path):
        return response.text("A path cannot contain a NUL character.", status=400)
    return None
