"""Durable ticket delivery: a ticket is stored in SQLite before any attempt and retried until a
helpdesk takes it, across restarts and with several processes sharing one file.

Delivery is at least once; the idempotency key sent with every attempt lets helpdesks that support
it (the web app's API, Zendesk) turn a repeat into a no-op.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from actions import config
from actions.helpdesk.base import DeliveryResult, Helpdesk, Outcome
from storage import sqlite
from tickets import validate_ticket

logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    idempotency_key TEXT PRIMARY KEY,
    reference       TEXT NOT NULL,
    ticket          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    claim           TEXT,
    last_error      TEXT,
    remote_id       TEXT,
    helpdesk        TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    delivered_at    REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_reference ON outbox (reference);
"""


@dataclass(frozen=True)
class OutboxItem:
    """One stored ticket and where its delivery stands."""

    idempotency_key: str
    reference: str
    ticket: dict
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    remote_id: str | None
    helpdesk: str | None
    created_at: float
    updated_at: float
    delivered_at: float | None


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt made by deliver_due."""

    reference: str
    idempotency_key: str
    result: DeliveryResult


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: base, 2·base, 4·base ... at most cap."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def _seconds(now: float | datetime | None, clock: Callable[[], float]) -> float:
    if now is None:
        return clock()
    if isinstance(now, datetime):
        return now.timestamp()
    return float(now)


class Outbox:
    """Tickets waiting for, or done with, delivery to a helpdesk, kept in one SQLite file."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        retry_base: float = config.RETRY_BASE_SECONDS,
        retry_cap: float = config.RETRY_CAP_SECONDS,
        lease_seconds: float | None = None,
    ):
        self.path = Path(db_path)
        self.clock = clock
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        # While one worker delivers an item, others leave it alone; after a crash it is due again
        # once the lease is over. It must outlast a delivery attempt (connect + read timeouts).
        self.lease_seconds = lease_seconds or max(60.0, 3 * config.HELPDESK_TIMEOUT_SECONDS)
        self._paused_until = 0.0
        sqlite.create_database(self.path, _SCHEMA)

    # -- storage -------------------------------------------------------------------------------

    def _connection(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite.connect(self.path)

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite.transaction(self.path)

    @staticmethod
    def _item(row: sqlite3.Row) -> OutboxItem:
        return OutboxItem(
            idempotency_key=row["idempotency_key"],
            reference=row["reference"],
            ticket=json.loads(row["ticket"]),
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            remote_id=row["remote_id"],
            helpdesk=row["helpdesk"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            delivered_at=row["delivered_at"],
        )

    # -- queue ---------------------------------------------------------------------------------

    def enqueue(self, ticket: dict, now: float | datetime | None = None) -> str:
        """Store a valid ticket for delivery and return its reference.

        A ticket whose idempotency key is already stored is not stored again: the reference of
        the first one comes back, so a replayed action tells the customer the same reference.
        """
        validate_ticket(ticket)
        moment = _seconds(now, self.clock)
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, reference, ticket, status,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    ticket["idempotency_key"],
                    ticket["id"],
                    json.dumps(ticket, ensure_ascii=False),
                    PENDING,
                    moment,
                    moment,
                    moment,
                ),
            )
            row = db.execute(
                "SELECT reference FROM outbox WHERE idempotency_key = ?",
                (ticket["idempotency_key"],),
            ).fetchone()
        return row["reference"]

    def get(self, idempotency_key: str) -> OutboxItem | None:
        """The stored item with this idempotency key, if any."""
        with self._connection() as db:
            row = db.execute(
                "SELECT * FROM outbox WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
        return self._item(row) if row else None

    def find(self, reference: str) -> OutboxItem | None:
        """The stored item with this customer reference, if any."""
        with self._connection() as db:
            row = db.execute("SELECT * FROM outbox WHERE reference = ?", (reference,)).fetchone()
        return self._item(row) if row else None

    def items(self, status: str | None = None) -> list[OutboxItem]:
        """All stored items (or those with one status), oldest first."""
        query = "SELECT * FROM outbox"
        parameters: tuple = ()
        if status:
            query += " WHERE status = ?"
            parameters = (status,)
        with self._connection() as db:
            rows = db.execute(query + " ORDER BY created_at, rowid", parameters).fetchall()
        return [self._item(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many items are pending, delivered and failed."""
        with self._connection() as db:
            rows = db.execute("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status").fetchall()
        return {PENDING: 0, DELIVERED: 0, FAILED: 0} | {row["status"]: row["n"] for row in rows}

    def retry_failed(self, now: float | datetime | None = None) -> int:
        """Queue failed items again (once the cause is fixed); returns how many."""
        moment = _seconds(now, self.clock)
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET status = ?, next_attempt_at = ?, updated_at = ?, claim = NULL"
                " WHERE status = ?",
                (PENDING, moment, moment, FAILED),
            )
        return cursor.rowcount

    # -- delivery ------------------------------------------------------------------------------

    def _claim_next(self, moment: float) -> tuple[sqlite3.Row, str] | None:
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM outbox WHERE status = ? AND next_attempt_at <= ?"
                " ORDER BY next_attempt_at, created_at, rowid LIMIT 1",
                (PENDING, moment),
            ).fetchone()
            if row is None:
                return None
            claim = uuid.uuid4().hex
            db.execute(
                "UPDATE outbox SET next_attempt_at = ?, claim = ? WHERE idempotency_key = ?",
                (moment + self.lease_seconds, claim, row["idempotency_key"]),
            )
        return row, claim

    def _record(
        self,
        row: sqlite3.Row,
        claim: str,
        helpdesk: Helpdesk,
        result: DeliveryResult,
        moment: float,
    ) -> None:
        attempts = row["attempts"] + 1
        if result.delivered:
            status, next_attempt_at, delivered_at = DELIVERED, moment, moment
        elif result.permanent:
            status, next_attempt_at, delivered_at = FAILED, moment, None
        else:
            delay = retry_delay(attempts, self.retry_base, self.retry_cap)
            if result.retry_after is not None:
                delay = result.retry_after
            status, next_attempt_at, delivered_at = PENDING, moment + delay, None
        with self._transaction() as db:
            # Only the claim holder records; a worker whose lease ran out has lost the item.
            db.execute(
                "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, claim = NULL,"
                " last_error = ?, remote_id = COALESCE(?, remote_id), helpdesk = ?,"
                " updated_at = ?, delivered_at = ? WHERE idempotency_key = ? AND claim = ?",
                (
                    status,
                    attempts,
                    next_attempt_at,
                    result.error,
                    result.remote_id,
                    getattr(helpdesk, "name", type(helpdesk).__name__),
                    moment,
                    delivered_at,
                    row["idempotency_key"],
                    claim,
                ),
            )

    def deliver_due(
        self, helpdesk: Helpdesk, now: float | datetime | None = None, limit: int = 100
    ) -> list[Attempt]:
        """Attempt every item that is due, oldest first, and record each outcome.

        Delivered items are done; permanent failures are kept as failed with their error; other
        failures are retried later with exponential backoff or after the helpdesk's Retry-After.
        A retryable failure ends the round: the helpdesk is down or throttling, so the remaining
        items wait for the next round instead of each spending a timeout.
        """
        moment = _seconds(now, self.clock)
        attempts: list[Attempt] = []
        if moment < self._paused_until:
            return attempts
        while len(attempts) < limit:
            claimed = self._claim_next(moment)
            if claimed is None:
                break
            row, claim = claimed
            ticket = json.loads(row["ticket"])
            try:
                result = helpdesk.deliver(ticket)
            except Exception as error:  # a bug in a client must not lose the ticket
                logger.exception("delivering ticket %s failed unexpectedly", row["reference"])
                result = DeliveryResult(Outcome.RETRYABLE, error=f"{type(error).__name__}: {error}")
            self._record(row, claim, helpdesk, result, moment)
            attempts.append(Attempt(row["reference"], row["idempotency_key"], result))
            if result.delivered:
                logger.info("ticket %s delivered (%s)", row["reference"], result.remote_id)
            else:
                logger.warning("ticket %s not delivered: %s", row["reference"], result.error)
            if result.retryable:
                if result.retry_after:
                    self._paused_until = moment + result.retry_after
                break
        return attempts

    def start_background_worker(
        self, helpdesk: Helpdesk, interval: float = config.OUTBOX_INTERVAL_SECONDS
    ) -> BackgroundWorker:
        """Start a daemon thread that delivers due items now and then every ``interval`` seconds."""
        worker = BackgroundWorker(self, helpdesk, interval)
        worker.start()
        return worker


class BackgroundWorker:
    """A daemon thread running Outbox.deliver_due periodically; wake() runs a round at once."""

    def __init__(self, outbox: Outbox, helpdesk: Helpdesk, interval: float):
        self.outbox = outbox
        self.helpdesk = helpdesk
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ticket-outbox", daemon=True)

    def start(self) -> None:
        """Start the thread; its first round runs at once (tickets left from before a restart)."""
        self._thread.start()

    def wake(self) -> None:
        """Run a delivery round now, e.g. right after a ticket was enqueued."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to finish after its current round and wait up to ``timeout`` seconds."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.outbox.deliver_due(self.helpdesk)
            except Exception:  # a broken round must not end the worker
                logger.exception("ticket outbox round failed")
            self._wake.wait(self.interval)
