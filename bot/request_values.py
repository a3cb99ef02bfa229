"""Reading values that arrive in a request: refused, never guessed, when malformed.

Each surface turns MalformedInput into a 400 of its own kind (JSON for the API, a page for the
inbox) whose text is the exception's message.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from sanic import Request, response
from sanic.response import HTTPResponse

#: Digits beyond which a number is certainly above any limit here (SQLite's integers have 19).
_MOST_DIGITS = 18


def is_storable_text(value: Any) -> bool:
    """Whether all text in a value read from JSON can be kept: valid Unicode (JSON lets through
    lone surrogates, "\\ud800", that SQLite, the conversation-id check and Rasa cannot encode)
    and no NUL character (a PostgreSQL text value cannot hold one)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any("\x00" in text for text in _texts(value))


def _texts(value: Any) -> Iterator[str]:
    """Every string in a value read from JSON, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


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
    """A path with a NUL character names no page or file (the static files would fail on it),
    and a form or JSON body with one holds text no store can keep (PostgreSQL refuses it)."""
    if "\x00" in unquote(request.path):
        return response.text("A path cannot contain a NUL character.", status=400)
    body = request.body or b""
    if b"\x00" in body or b"%00" in body:  # a form's (JSON bodies: is_storable_text)
        return response.text("A request cannot contain a NUL character.", status=400)
    return None
