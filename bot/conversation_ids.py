"""Conversation ids that only the server hands out: a random part and its HMAC signature.

A chat client cannot choose or guess another customer's conversation: the channel accepts a
message only under an id it issued (``new_conversation_id``), and ``is_issued`` checks one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

#: Prefix of every issued id, so an id in the tracker store shows where it came from.
PREFIX = "web-"


def _signature(random_part: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), random_part.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def new_conversation_id(secret: str) -> str:
    """A fresh conversation id, signed with ``secret``."""
    random_part = PREFIX + secrets.token_urlsafe(16)
    return f"{random_part}.{_signature(random_part, secret)}"


def is_issued(conversation_id: object, secret: str) -> bool:
    """Whether ``conversation_id`` is one this server issued with ``secret``."""
    if not secret or not isinstance(conversation_id, str) or not conversation_id.startswith(PREFIX):
        return False
    random_part, _, signature = conversation_id.rpartition(".")
    try:  # bytes: compare_digest refuses strings with non-ASCII characters
        return bool(random_part) and hmac.compare_digest(
            signature.encode(), _signature(random_part, secret).encode()
        )
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"), which JSON lets through
        return False


def client_key(address: str, secret: str) -> str:
    """A stable pseudonym for a client address, so limits can count it without storing it."""
    return _signature("client:" + address, secret)
