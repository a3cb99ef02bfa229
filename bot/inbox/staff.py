"""Staff accounts of the support inbox, their login sessions and failed logins, in SQLite or
PostgreSQL (storage/database.py).

A login attempt is counted as a failure before its password is checked, in one transaction with
the check of the waits (so parallel attempts cannot all slip through), and forgiven if it succeeds.
"""
from __future__ import annotations

import re
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.inbox.auth import (
    LoginRules,
    hash_password,
    login_wait,
    needs_rehash,
    new_token,
    password_problem,
    token_digest,
    verify_password,
)
from storage.database import INTEGRITY_ERRORS, Database

#: Longest user name kept of a failed login (anything may be typed into the form).
_FAILED_NAME_LENGTH = 200

#: A user name: usually the staff member's e-mail address.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,99}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT,
    last_login_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_digest TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   REAL NOT NULL,
    expires_at   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username);
CREATE TABLE IF NOT EXISTS login_failures (
    id        INTEGER PRIMARY KEY,
    username  TEXT NOT NULL,
    client    TEXT NOT NULL,
    failed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_client ON login_failures (client, failed_at);
CREATE INDEX IF NOT EXISTS login_failures_username ON login_failures (username, failed_at);
CREATE TABLE IF NOT EXISTS used_login_forms (
    token_digest TEXT PRIMARY KEY,
    expires_at   REAL NOT NULL
);
"""


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class StaffSession:
    """A logged-in staff member: who, and the token their forms must send back."""

    username: str
    csrf_token: str
    expires_at: float


@dataclass(frozen=True)
class StaffAccount:
    """One staff account as the CLI lists it."""

    username: str
    created_at: str
    disabled_at: str | None
    last_login_at: str | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def normalized_username(username: str) -> str:
    """User names are compared without regard to case or surrounding spaces."""
    return username.strip().lower()


def _now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StaffStore:
    """Accounts, sessions and failed logins of the inbox in one SQLite file or PostgreSQL
    database."""

    def __init__(self, location: str | Path):
        self.database = Database(location, "staff")
        self.database.create(_SCHEMA)

    def _connection(self) -> AbstractContextManager:
        return self.database.connect()

    # --- accounts ------------------------------------------------------------------------------

    def create(self, username: str, password: str) -> StaffAccount:
        """Create an active account; raises StaffError for a bad name, password or a duplicate."""
        username = normalized_username(username)
        if not USERNAME.match(username):
            raise StaffError(
                "the user name must be 2-100 characters: letters, digits and . _ @ + -"
            )
        problem = password_problem(password)
        if problem:
            raise StaffError(problem)
        created_at = _now_text()
        try:
            with self._connection() as db:
                db.execute(
                    "INSERT INTO staff (username, password_hash, created_at) VALUES (?, ?, ?)",
                    (username, hash_password(password), created_at),
                )
        except INTEGRITY_ERRORS:
            raise StaffError(f"there already is an account {username}") from None
        return StaffAccount(username, created_at, None, None)

    def accounts(self) -> list[StaffAccount]:
        """Every account, active or disabled, by user name."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT username, created_at, disabled_at, last_login_at FROM staff"
                " ORDER BY username"
            ).fetchall()
        return [StaffAccount(**dict(row)) for row in rows]

    def disable(self, username: str) -> bool:
        """Disable an account and end its sessions; False if there is no such active account."""
        username = normalized_username(username)
        with self._connection() as db:
            changed = db.execute(
                "UPDATE staff SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL",
                (_now_text(), username),
            ).rowcount
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
        return changed == 1

    def authenticate(self, username: str, password: str) -> bool:
        """Whether the name and password belong to an active account (same time either way)."""
        username = normalized_username(username)
        with self._connection() as db:
            row = db.execute(
                "SELECT password_hash FROM staff WHERE username = ? AND disabled_at IS NULL",
                (username,),
            ).fetchone()
        stored_hash = row["password_hash"] if row else None
        if not verify_password(stored_hash, password):
            return False
        with self._connection() as db:
            db.execute(
                "UPDATE staff SET last_login_at = ? WHERE username = ?", (_now_text(), username)
            )
            if needs_rehash(stored_hash):
                db.execute(
                    "UPDATE staff SET password_hash = ? WHERE username = ?",
                    (hash_password(password), username),
                )
        return True

    # --- sessions ------------------------------------------------------------------------------

    def start_session(self, username: str, lifetime_seconds: float) -> tuple[str, StaffSession]:
        """Open a session; returns its token (for the cookie only) and the session."""
        token, now = new_token(), time.time()
        session = StaffSession(normalized_username(username), new_token(), now + lifetime_seconds)
        with self._connection() as db:
            db.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
            db.execute(
                "INSERT INTO sessions (token_digest, username, csrf_token, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_digest(token), session.username, session.csrf_token, now,
                 session.expires_at),
            )
        return token, session

    def session(self, token: str | None) -> StaffSession | None:
        """The live session of this token, if it has not expired and its account is active."""
        if not token:
            return None
        with self._connection() as db:
            row = db.execute(
                "SELECT sessions.username, csrf_token, expires_at FROM sessions"
                " JOIN staff ON staff.username = sessions.username"
                " WHERE token_digest = ? AND expires_at > ? AND staff.disabled_at IS NULL",
                (token_digest(token), time.time()),
            ).fetchone()
        return StaffSession(**dict(row)) if row else None

    def end_session(self, token: str | None) -> None:
        """Log out: the token opens nothing any more."""
        if token:
            with self._connection() as db:
                db.execute("DELETE FROM sessions WHERE token_digest = ?", (token_digest(token),))

    # --- login forms and failed logins ---------------------------------------------------------

    def use_login_form(self, token: str, expires_at: float) -> bool:
        """Mark a login form's token used; False if it was used before (each form works once)."""
        with self._connection() as db:
            db.execute("DELETE FROM used_login_forms WHERE expires_at <= ?", (time.time(),))
            return db.execute(
                "INSERT INTO used_login_forms (token_digest, expires_at) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (token_digest(token), expires_at),
            ).rowcount == 1

    def count_attempt(
        self,
        username: str,
        client: str,
        rules: LoginRules,
        window_seconds: float,
        moment: float | None = None,
    ) -> float:
        """Count a login attempt as failed before its password is checked.

        Returns 0 when the password may be checked now, else the seconds the recent failures
        make it wait (and nothing is counted).
        """
        now, name = moment or time.time(), self._failed_name(username)
        counts = (
            (rules.user_at_address, "username = ? AND client = ?", (name, client)),
            (rules.address, "client = ?", (client,)),
            (rules.user, "username = ?", (name,)),
        )
        with self.database.transaction() as db:
            db.execute("DELETE FROM login_failures WHERE failed_at < ?", (now - window_seconds,))
            wait = 0.0
            for rule, where, parameters in counts:
                failures, last_failure = db.execute(
                    f"SELECT COUNT(*), MAX(failed_at) FROM login_failures WHERE {where}",
                    parameters,
                ).fetchone()
                wait = max(wait, login_wait(failures, last_failure or 0.0, rule, now))
            if wait == 0:
                db.execute(
                    "INSERT INTO login_failures (username, client, failed_at) VALUES (?, ?, ?)",
                    (name, client, now),
                )
        return wait

    def forgive_failures(self, username: str, client: str) -> None:
        """A login succeeded: its attempt and the earlier failures of this user there are void."""
        with self._connection() as db:
            db.execute(
                "DELETE FROM login_failures WHERE username = ? AND client = ?",
                (self._failed_name(username), client),
            )

    @staticmethod
    def _failed_name(username: str) -> str:
        return normalized_username(username)[:_FAILED_NAME_LENGTH]
