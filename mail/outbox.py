"""The mail outbox: every customer e-mail is stored (SQLite or PostgreSQL) before any attempt and
sent by SMTP until the server takes it, across restarts; the same kind of outbox as the tickets'
(actions/outbox.py), whose claim, backoff and worker it shares.

Enqueueing is idempotent on the message's key, so a replayed hand-off or a form sent twice
stores one message. An SMTP server that is down, refuses us for now (a 4xx) or refuses our
configuration (a 5xx at connect, to EHLO, STARTTLS, the login or our sender) only delays the
messages: the round ends and they are retried with backoff. Only a message the server refuses
for good for itself (5xx for its recipient or content) is kept as failed, with the answer.
"""

from __future__ import annotations

import email
import email.policy
import logging
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from actions import config
from actions.helpdesk.base import DeliveryResult, Outcome
from actions.outbox import (
    DELIVERED,
    FAILED,
    PENDING,
    BackgroundWorker,
    claim_next_due,
    retry_delay,
    seconds_of,
)
from bot.config import Settings
from mail.smtp import longest_session_seconds
from storage.database import Database

logger = logging.getLogger(__name__)

#: What a message is: the confirmation of a new ticket, or an agent's reply from the inbox.
CONFIRMATION = "confirmation"
REPLY = "reply"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_outbox (
    idempotency_key TEXT PRIMARY KEY,
    reference       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('confirmation', 'reply')),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    message         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    claim           TEXT,
    last_error      TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    delivered_at    REAL
);
CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS mail_outbox_reference ON mail_outbox (reference, created_at);
"""

#: Seconds a claim outlasts the longest SMTP session (recording the outcome, a slow disk).
LEASE_MARGIN_SECONDS = 30.0

#: Sends one message and says how it went (mail/smtp.py's SmtpSender); never raises.
Sender = Callable[[EmailMessage], DeliveryResult]


@dataclass(frozen=True)
class CustomerMail:
    """A composed e-mail to the customer about one ticket, ready to be enqueued."""

    #: The same key for the same message: the confirmation of one hand-off, one reply form.
    idempotency_key: str
    reference: str
    kind: str
    message: EmailMessage


@dataclass(frozen=True)
class MailItem:
    """One stored e-mail and where its delivery stands."""

    idempotency_key: str
    reference: str
    kind: str
    recipient: str
    subject: str
    message: EmailMessage
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    created_at: float
    delivered_at: float | None


def parse_message(text: str) -> EmailMessage:
    """A stored message as an EmailMessage again (the modern policy: get_body, decoded headers)."""
    return email.message_from_string(text, policy=email.policy.default)


class MailOutbox:
    """Customer e-mails waiting for, or done with, delivery by SMTP, kept in one database (a
    SQLite file or PostgreSQL)."""

    def __init__(
        self,
        location: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        retry_base: float = config.RETRY_BASE_SECONDS,
        retry_cap: float = config.RETRY_CAP_SECONDS,
        smtp_timeout_seconds: float = Settings.smtp_timeout_seconds,
    ):
        self.database = Database(location, "mail_outbox")
        self.clock = clock
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        # A claim must outlast the longest SMTP session, or a second worker sends it again.
        self.lease_seconds = longest_session_seconds(smtp_timeout_seconds) + LEASE_MARGIN_SECONDS
        self.database.create(_SCHEMA)

    def _connection(self) -> AbstractContextManager:
        return self.database.connect()

    @staticmethod
    def _item(row: Mapping) -> MailItem:
        return MailItem(
            idempotency_key=row["idempotency_key"],
            reference=row["reference"],
            kind=row["kind"],
            recipient=row["recipient"],
            subject=row["subject"],
            message=parse_message(row["message"]),
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            delivered_at=row["delivered_at"],
        )

    def enqueue(self, mail: CustomerMail, now: float | datetime | None = None) -> MailItem:
        """Store a message for delivery; one whose key is stored already is not stored again
        (the stored one comes back)."""
        moment = seconds_of(now, self.clock)
        with self.database.transaction() as db:
            db.execute(
                "INSERT INTO mail_outbox (idempotency_key, reference, kind, recipient, subject,"
                " message, status, next_attempt_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
                (
                    mail.idempotency_key,
                    mail.reference,
                    mail.kind,
                    str(mail.message["To"]),
                    str(mail.message["Subject"]),
                    mail.message.as_string(),
                    PENDING,
                    moment,
                    moment,
                    moment,
                ),
            )
            row = db.execute(
                "SELECT * FROM mail_outbox WHERE idempotency_key = ?", (mail.idempotency_key,)
            ).fetchone()
        return self._item(row)

    def get(self, idempotency_key: str) -> MailItem | None:
        """The stored message with this key, if any."""
        with self._connection() as db:
            row = db.execute(
                "SELECT * FROM mail_outbox WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
        return self._item(row) if row else None

    def items(self, status: str | None = None, reference: str | None = None) -> list[MailItem]:
        """Stored messages (with one status, about one ticket), oldest first."""
        conditions, parameters = [], []
        for column, value in (("status", status), ("reference", reference)):
            if value:
                conditions.append(f"{column} = ?")
                parameters.append(value)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        with self._connection() as db:
            rows = db.execute(
                f"SELECT * FROM mail_outbox{where} ORDER BY created_at, rowid", parameters
            ).fetchall()
        return [self._item(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many messages are pending, delivered and failed."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status"
            ).fetchall()
        return {PENDING: 0, DELIVERED: 0, FAILED: 0} | {row["status"]: row["n"] for row in rows}

    def retry_failed(self, now: float | datetime | None = None) -> int:
        """Queue every failed message again (once the cause is fixed); returns how many."""
        moment = seconds_of(now, self.clock)
        with self.database.transaction() as db:
            cursor = db.execute(
                "UPDATE mail_outbox SET status = ?, next_attempt_at = ?, updated_at = ?"
                " WHERE status = ?",
                (PENDING, moment, moment, FAILED),
            )
        return cursor.rowcount

    def _record(self, row: Mapping, claim: str, result: DeliveryResult, moment: float) -> None:
        attempts = row["attempts"] + 1
        if result.delivered:
            status, next_attempt_at, delivered_at = DELIVERED, moment, moment
        elif result.permanent:
            status, next_attempt_at, delivered_at = FAILED, moment, None
        else:
            delay = retry_delay(attempts, self.retry_base, self.retry_cap)
            status, next_attempt_at, delivered_at = PENDING, moment + delay, None
        with self.database.transaction() as db:
            # Only the claim holder records; a worker whose lease ran out has lost the message.
            db.execute(
                "UPDATE mail_outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
                " claim = NULL, last_error = ?, updated_at = ?, delivered_at = ?"
                " WHERE idempotency_key = ? AND claim = ?",
                (
                    status,
                    attempts,
                    next_attempt_at,
                    result.error,
                    moment,
                    delivered_at,
                    row["idempotency_key"],
                    claim,
                ),
            )

    def deliver_due(
        self,
        send: Sender,
        now: float | datetime | None = None,
        limit: int = 100,
        stopping: threading.Event | None = None,
    ) -> list[DeliveryResult]:
        """Send every message that is due, oldest first, and record each outcome.

        A failure that is not for good for this one message ends the round: the server is down
        or refuses us, so the other messages wait for the next round instead of each spending a
        timeout or being failed for the server's fault. Once ``stopping`` is set the round ends
        after the message being sent.
        """
        results: list[DeliveryResult] = []
        while len(results) < limit and not (stopping and stopping.is_set()):
            moment = seconds_of(now, self.clock)
            claimed = claim_next_due(self.database, "mail_outbox", moment, self.lease_seconds)
            if claimed is None:
                break
            row, claim = claimed
            try:
                result = send(parse_message(row["message"]))
            except Exception as error:  # a bug in the sender must not lose the message
                logger.exception("sending mail %s failed unexpectedly", row["idempotency_key"])
                result = DeliveryResult(Outcome.RETRYABLE, error=f"{type(error).__name__}: {error}")
            self._record(row, claim, result, moment)
            results.append(result)
            if result.delivered:
                logger.info("%s for %s sent", row["kind"], row["reference"])
                continue
            logger.warning("%s for %s not sent: %s", row["kind"], row["reference"], result.error)
            if not result.permanent:
                break
        return results

    def start_background_worker(
        self, send: Sender, interval: float = config.OUTBOX_INTERVAL_SECONDS
    ) -> MailWorker:
        """Start a daemon thread that sends due messages now and then every ``interval`` s."""
        worker = MailWorker(self, send, interval)
        worker.start()
        return worker


class MailWorker(BackgroundWorker):
    """The mail outbox's worker thread; stop() ends its round after the message being sent."""

    def __init__(self, outbox: MailOutbox, send: Sender, interval: float):
        self.stopping = threading.Event()
        super().__init__(
            "mail outbox", lambda: outbox.deliver_due(send, stopping=self.stopping), interval
        )

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to finish after the current message and wait up to ``timeout`` s."""
        self.stopping.set()
        super().stop(timeout)
