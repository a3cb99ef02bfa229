"""The inbox's security primitives: password hashes, signed cookie values, tokens, login waits."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.config import Settings

#: Shortest password a staff account accepts.
MIN_PASSWORD_LENGTH = 12
SECRET_KEY_FILE = "inbox_secret.key"

_hasher = PasswordHasher()  # Argon2id with the library's recommended cost
# Verifying against this for unknown users takes as long as for real ones (no user probing).
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """An Argon2id hash of the password, salted, to store instead of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash; a missing hash costs the same time and fails."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker settings than today's, so it should be redone."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip() != password:
        return "the password must not start or end with a space"
    return None


def new_token() -> str:
    """A random, unguessable token (256 bits), safe in URLs and cookies."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a session token, so that a copy of the database opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def _signature(value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(value: str, key: bytes) -> str:
    """The value with its HMAC-SHA256 signature appended, for a cookie."""
    return f"{value}.{_signature(value, key)}"


def unsign(signed: str | None, key: bytes) -> str | None:
    """The value of a signed cookie, or None when it is missing or was not signed with key."""
    value, dot, signature = (signed or "").rpartition(".")
    if not dot or not value:
        return None
    return value if hmac.compare_digest(signature, _signature(value, key)) else None


def same_token(presented: str | None, expected: str | None) -> bool:
    """Compare a presented token with the expected one in constant time; missing never matches."""
    if not presented or not expected:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def secret_key(settings: Settings) -> bytes:
    """The key that signs the inbox cookies: the configured one, else one kept in state_dir."""
    if settings.inbox_secret_key:
        return settings.inbox_secret_key.encode()
    path = Path(settings.state_dir) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(secrets.token_hex(32))
        try:
            # A hard link appears whole or not at all: two processes starting at once agree.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class LoginRule:
    """Failed logins of one kind allowed in the window, and the longest wait after them."""

    allowance: int
    longest_wait: float


#: An address is shared by everyone in an office, so it may fail this many times more than a
#: single user there; and so may one user name, from all addresses together.
SHARED_ALLOWANCE_FACTOR = 4
#: Failures for one user name from many addresses slow that user everywhere, but never longer
#: than this per attempt: someone else's guessing must not lock the real user out.
USER_LONGEST_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class LoginRules:
    """The rule of each failure count: a user name from one address, an address, a user name."""

    user_at_address: LoginRule
    address: LoginRule
    user: LoginRule


def login_rules(settings: Settings) -> LoginRules:
    """The login rules of the settings: shared counts allow more failures, a user waits less."""
    allowance, longest = settings.inbox_login_attempts, settings.inbox_login_max_delay_seconds
    shared = allowance * SHARED_ALLOWANCE_FACTOR
    return LoginRules(
        user_at_address=LoginRule(allowance, longest),
        address=LoginRule(shared, longest),
        user=LoginRule(shared, min(longest, USER_LONGEST_WAIT_SECONDS)),
    )


def login_wait(failures: int, last_failure: float, rule: LoginRule, now: float) -> float:
    """Seconds until the next attempt may be checked: none within the allowance, then 1, 2, 4 ...

    Each failure past the allowance doubles the wait after the latest failure, up to the rule's
    longest wait.
    """
    if failures < rule.allowance:
        return 0.0
    delay = min(rule.longest_wait, 2.0 ** min(failures - rule.allowance, 32))
    return max(0.0, last_failure + delay - now)


def login_form_cookie(token: str, key: bytes, now: float | None = None) -> str:
    """The signed cookie that goes with a login form's token, stamped with when it was issued."""
    return sign(f"{token}:{int(now or time.time())}", key)


def login_form_expiry(
    cookie: str | None, presented: str | None, key: bytes, lifetime: float, now: float
) -> float | None:
    """When a posted login form expires, if its token matches its cookie and is fresh; else None."""
    token, _, issued = (unsign(cookie, key) or "").rpartition(":")
    if not same_token(presented, token) or not issued.isascii() or not issued.isdigit():
        return None
    expires_at = int(issued) + lifetime
    return expires_at if now < expires_at else None


def safe_next_path(path: str | None) -> str:
    """Where to go after login: a path inside the inbox, never another site."""
    if (
        path
        and path.startswith("/inbox")
        and path.isprintable()
        and "\\" not in path
    ):
        return path
    return "/inbox/tickets"
