"""Durable ticket delivery: a ticket is stored (SQLite or PostgreSQL) before any attempt and
retried until a helpdesk takes it, across restarts and with several processes sharing one
database.

Delivery is at least once; the idempotency key sent with every attempt lets helpdesks that support
it (the web app's API, Zendesk) turn a repeat into a no-op, and helpdesks without one (Freshdesk,
Intercom) are asked for the ticket by its reference before an attempt is repeated.

Every reference is unique in the outbox (a UNIQUE index; a taken one is replaced before storing),
so no two customers are told the same one. When the helpdesk refuses our configuration (a
rotated token, a wrong URL) delivery pauses for every process on the file, probes with one ticket
now and then, and resumes once that one is delivered. Tickets the helpdesk refuses for what they
hold are kept as failed (the dead letters) until someone retries them.
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from actions import config
from actions.helpdesk.base import DeliveryResult, Helpdesk, Outcome
from actions.ticket import new_reference
from storage.database import Database
from tickets import parse_timestamp, validate_ticket

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
CREATE TABLE IF NOT EXISTS delivery_pause (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    reason        TEXT NOT NULL,
    status_code   INTEGER,
    helpdesk      TEXT,
    paused_at     REAL NOT NULL,
    probes        INTEGER NOT NULL DEFAULT 1,
    next_probe_at REAL NOT NULL
);
"""

#: Fresh references drawn for one ticket before giving up (each is taken with p < 1e-5).
MAX_REFERENCE_DRAWS = 20


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
class DeliveryPause:
    """Delivery stopped because the helpdesk refuses our configuration, and when to probe again."""

    reason: str
    status_code: int | None
    helpdesk: str | None
    paused_at: float
    #: Probes that failed so far (the refusal that paused delivery counts as the first).
    probes: int
    next_probe_at: float


@dataclass(frozen=True)
class DeliveryStatus:
    """What the support team needs to see at a glance: paused? how many failed, waiting?"""

    pause: DeliveryPause | None
    failed: int
    pending: int

    @property
    def needs_attention(self) -> bool:
        return self.pause is not None or self.failed > 0


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt made by deliver_due."""

    reference: str
    idempotency_key: str
    result: DeliveryResult


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: base, 2·base, 4·base ... at most cap."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def claim_next_due(
    database: Database, table: str, moment: float, lease_seconds: float
) -> tuple[Mapping, str] | None:
    """Claim the oldest due pending item of an outbox table (the ticket or the mail outbox) for
    one attempt; other workers leave it alone until the lease is over (after a crash it is due
    again then). Returns the row as it was and the claim the attempt is recorded with."""
    with database.transaction() as db:
        row = db.execute(
            f"SELECT * FROM {table} WHERE status = ? AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, created_at, rowid LIMIT 1",
            (PENDING, moment),
        ).fetchone()
        if row is None:
            return None
        claim = uuid.uuid4().hex
        db.execute(
            f"UPDATE {table} SET next_attempt_at = ?, claim = ? WHERE idempotency_key = ?",
            (moment + lease_seconds, claim, row["idempotency_key"]),
        )
    return row, claim


def _name(helpdesk: Helpdesk) -> str:
    return getattr(helpdesk, "name", type(helpdesk).__name__)


def seconds_of(now: float | datetime | None, clock: Callable[[], float]) -> float:
    """A moment given as Unix seconds, a datetime or None (now, by ``clock``) in Unix seconds."""
    if now is None:
        return clock()
    if isinstance(now, datetime):
        return now.timestamp()
    return float(now)


class Outbox:
    """Tickets waiting for, or done with, delivery to a helpdesk, kept in one database (a SQLite
    file or PostgreSQL)."""

    def __init__(
        self,
        location: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        retry_base: float = config.RETRY_BASE_SECONDS,
        retry_cap: float = config.RETRY_CAP_SECONDS,
        lease_seconds: float | None = None,
        rng: random.Random | None = None,
    ):
        self.database = Database(location, "outbox")
        self.clock = clock
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        # While one worker delivers an item, others leave it alone; after a crash it is due again
        # once the lease is over. It must outlast an attempt: a lookup and a create, each with
        # connect and read timeouts (60 s with the default 10 s timeout).
        self.lease_seconds = lease_seconds or 6 * config.HELPDESK_TIMEOUT_SECONDS
        #: Draws the replacement for a reference that is already taken.
        self.rng = rng or random.SystemRandom()
        self._throttled_until = 0.0
        self.database.create(_SCHEMA)
        self._make_references_unique()

    # -- storage -------------------------------------------------------------------------------

    def _connection(self) -> AbstractContextManager:
        return self.database.connect()

    def _transaction(self) -> AbstractContextManager:
        return self.database.transaction()

    def _make_references_unique(self) -> None:
        """Give every stored ticket its own reference, then let the index keep it that way.

        Outboxes written before references were unique may hold two tickets with one reference.
        The one a helpdesk already has (else the first) keeps it; the other gets a new one (its
        customer was told a reference that was taken). When both were delivered, the second is
        renamed here as well, and the warning names both references: its helpdesk copy keeps the
        old one.
        """
        with self._transaction() as db:
            shared = db.execute(
                "SELECT idempotency_key, reference, ticket, status FROM outbox WHERE reference IN"
                " (SELECT reference FROM outbox GROUP BY reference HAVING COUNT(*) > 1)"
                " ORDER BY reference, status != 'delivered', rowid"
            ).fetchall()
            keeper = None
            for row in shared:
                if keeper is None or keeper["reference"] != row["reference"]:
                    keeper = row
                    continue
                ticket = self._with_free_reference(db, json.loads(row["ticket"]))
                logger.warning(
                    "ticket %s (%s) shared reference %s with ticket %s; it is now %s",
                    row["idempotency_key"], row["status"], row["reference"],
                    keeper["idempotency_key"], ticket["id"],
                )
                db.execute(
                    "UPDATE outbox SET reference = ?, ticket = ? WHERE idempotency_key = ?",
                    (ticket["id"], json.dumps(ticket, ensure_ascii=False), row["idempotency_key"]),
                )
            db.execute("DROP INDEX IF EXISTS outbox_reference")
            db.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS outbox_reference_unique ON outbox (reference)"
            )

    def _with_free_reference(self, db, ticket: dict) -> dict:
        """The ticket as it is, or with a newly drawn reference if its own is taken."""
        day = parse_timestamp(ticket["created_at"])
        for _ in range(MAX_REFERENCE_DRAWS):
            taken = db.execute(
                "SELECT 1 FROM outbox WHERE reference = ?", (ticket["id"],)
            ).fetchone()
            if not taken:
                return ticket
            ticket = {**ticket, "id": new_reference(day, rng=self.rng)}
        raise RuntimeError(f"no free reference after {MAX_REFERENCE_DRAWS} draws")

    @staticmethod
    def _item(row: Mapping) -> OutboxItem:
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
        """Store a valid ticket for delivery and return its reference: tell the customer this one.

        A ticket whose idempotency key is already stored is not stored again: the reference of
        the first one comes back, so a replayed action tells the customer the same reference.
        A reference another ticket holds is replaced by a new one (in the stored ticket's id).
        """
        validate_ticket(ticket)
        moment = seconds_of(now, self.clock)
        with self._transaction() as db:
            stored = db.execute(
                "SELECT reference FROM outbox WHERE idempotency_key = ?",
                (ticket["idempotency_key"],),
            ).fetchone()
            if stored:
                return stored["reference"]
            unique = self._with_free_reference(db, ticket)
            if unique["id"] != ticket["id"]:
                logger.info("reference %s is taken; the ticket is %s", ticket["id"], unique["id"])
            db.execute(
                "INSERT INTO outbox (idempotency_key, reference, ticket, status,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    unique["idempotency_key"],
                    unique["id"],
                    json.dumps(unique, ensure_ascii=False),
                    PENDING,
                    moment,
                    moment,
                    moment,
                ),
            )
        return unique["id"]

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
        """Queue every failed item again (once the cause is fixed); returns how many."""
        return self._retry("status = ?", (FAILED,), now)

    def retry(self, reference: str, now: float | datetime | None = None) -> bool:
        """Queue one failed item again; False if no failed item has this reference."""
        return self._retry("status = ? AND reference = ?", (FAILED, reference), now) == 1

    def _retry(self, condition: str, parameters: tuple, now: float | datetime | None) -> int:
        moment = seconds_of(now, self.clock)
        with self._transaction() as db:
            # Someone says the cause is fixed: a paused delivery probes at once as well.
            db.execute("UPDATE delivery_pause SET next_probe_at = ?", (moment,))
            cursor = db.execute(
                "UPDATE outbox SET status = ?, next_attempt_at = ?, updated_at = ?"
                f" WHERE {condition}",
                (PENDING, moment, moment, *parameters),
            )
        return cursor.rowcount

    # -- pause ---------------------------------------------------------------------------------

    def pause(self) -> DeliveryPause | None:
        """Why and since when delivery is paused; None while it runs."""
        with self._connection() as db:
            row = db.execute("SELECT * FROM delivery_pause").fetchone()
        if row is None:
            return None
        return DeliveryPause(
            row["reason"], row["status_code"], row["helpdesk"], row["paused_at"], row["probes"],
            row["next_probe_at"],
        )

    def probe_now(self, now: float | datetime | None = None) -> bool:
        """Let a paused delivery probe at the next round (e.g. a worker started with a new
        configuration); False if delivery is not paused."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE delivery_pause SET next_probe_at = ?", (seconds_of(now, self.clock),)
            )
        return cursor.rowcount == 1

    def status(self) -> DeliveryStatus:
        """The pause, if any, and how many items failed and are waiting."""
        counts = self.counts()
        return DeliveryStatus(self.pause(), counts[FAILED], counts[PENDING])

    def _refused_configuration(
        self, helpdesk: Helpdesk, result: DeliveryResult, moment: float
    ) -> None:
        """Pause delivery, or keep it paused, probing again after a growing delay."""
        name = _name(helpdesk)
        with self._transaction() as db:
            row = db.execute("SELECT probes FROM delivery_pause").fetchone()
            probes = row["probes"] + 1 if row else 1
            next_probe_at = moment + retry_delay(probes, self.retry_base, self.retry_cap)
            db.execute(
                "INSERT INTO delivery_pause (id, reason, status_code, helpdesk, paused_at, probes,"
                " next_probe_at) VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " reason = excluded.reason, status_code = excluded.status_code,"
                " helpdesk = excluded.helpdesk, probes = excluded.probes,"
                " next_probe_at = excluded.next_probe_at",
                (result.error or "refused", result.status_code, name, moment, probes,
                 next_probe_at),
            )
        if row is None:
            logger.error(
                "ALERT: ticket delivery to %s is paused, the helpdesk refuses our configuration"
                " (%s). Fix the settings (token, URL); tickets are kept and delivery resumes by"
                " itself once a probe gets through (next in %.0f s).",
                name, result.for_log, next_probe_at - moment,
            )
        else:
            logger.warning(
                "ticket delivery to %s still paused after probe %d: %s; next probe in %.0f s",
                name, probes, result.for_log, next_probe_at - moment,
            )

    def _keep_probing(self, result: DeliveryResult, moment: float) -> None:
        """A probe that failed for a passing reason (an outage): the pause stays, backing off."""
        with self._transaction() as db:
            row = db.execute("SELECT probes FROM delivery_pause").fetchone()
            if row is None:
                return
            probes = row["probes"] + 1
            db.execute(
                "UPDATE delivery_pause SET probes = ?, next_probe_at = ?",
                (probes, moment + self._retry_wait(probes, result)),
            )

    def _resume(self, helpdesk: Helpdesk) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM delivery_pause")
        logger.warning(
            "ticket delivery to %s resumed: the helpdesk accepts our configuration again",
            _name(helpdesk),
        )

    # -- delivery ------------------------------------------------------------------------------

    def _claim_next(self, moment: float) -> tuple[Mapping, str] | None:
        return claim_next_due(self.database, "outbox", moment, self.lease_seconds)

    def _record(
        self,
        row: Mapping,
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
        elif result.misconfigured:
            # Due again at once, but only a probe of the paused delivery will try it.
            status, next_attempt_at, delivered_at = PENDING, moment, None
        else:
            delay = self._retry_wait(attempts, result)
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
                    _name(helpdesk),
                    moment,
                    delivered_at,
                    row["idempotency_key"],
                    claim,
                ),
            )

    def _honoured(self, retry_after: float) -> float:
        """A helpdesk's Retry-After, honoured up to the retry cap."""
        return min(retry_after, self.retry_cap)

    def _retry_wait(self, attempts: int, result: DeliveryResult) -> float:
        """Backoff after a passing failure; a Retry-After is honoured up to the retry cap."""
        if result.retry_after is not None:
            return self._honoured(result.retry_after)
        return retry_delay(attempts, self.retry_base, self.retry_cap)

    def _attempt(self, helpdesk: Helpdesk, row: Mapping) -> DeliveryResult:
        """One attempt; after one that may have reached the helpdesk, look the ticket up first."""
        ticket = json.loads(row["ticket"])
        # An earlier attempt was recorded, or a worker died holding the item: it may be there.
        may_have_arrived = row["attempts"] > 0 or row["claim"] is not None
        find_delivered = getattr(helpdesk, "find_delivered", None)
        try:
            if may_have_arrived and find_delivered is not None:
                found = find_delivered(ticket)
                if found is not None:
                    return found
            return helpdesk.deliver(ticket)
        except Exception as error:  # a bug in a client must not lose the ticket
            logger.exception("delivering ticket %s failed unexpectedly", row["reference"])
            return DeliveryResult(Outcome.RETRYABLE, error=f"{type(error).__name__}: {error}")

    def deliver_due(
        self, helpdesk: Helpdesk, now: float | datetime | None = None, limit: int = 100
    ) -> list[Attempt]:
        """Attempt every item that is due, oldest first, and record each outcome.

        Delivered items are done; permanent failures are kept as failed with their error; other
        failures are retried later with exponential backoff or after the helpdesk's Retry-After
        (at most the retry cap). A retryable failure ends the round: the helpdesk is down or
        throttling, so the remaining items wait for the next round instead of each spending a
        timeout. A refused configuration pauses delivery; while paused, a round only probes with
        one item when the probe is due, and carries on with the rest once it is delivered.
        """
        moment = seconds_of(now, self.clock)
        attempts: list[Attempt] = []
        if moment < self._throttled_until:
            return attempts
        pause = self.pause()
        if pause is not None and moment < pause.next_probe_at:
            return attempts
        probing = pause is not None
        while len(attempts) < limit:
            if now is None:
                # A long round must not start leases (or backoffs) from its own start time.
                moment = self.clock()
            claimed = self._claim_next(moment)
            if claimed is None:
                break
            row, claim = claimed
            result = self._attempt(helpdesk, row)
            self._record(row, claim, helpdesk, result, moment)
            attempts.append(Attempt(row["reference"], row["idempotency_key"], result))
            if result.delivered:
                logger.info("ticket %s delivered (%s)", row["reference"], result.remote_id)
            else:
                logger.warning("ticket %s not delivered: %s", row["reference"], result.for_log)
            if result.misconfigured:
                self._refused_configuration(helpdesk, result, moment)
                break
            if probing and result.retryable:
                self._keep_probing(result, moment)
                break
            if probing:
                # Delivered, or refused for what the ticket holds: our configuration works.
                self._resume(helpdesk)
                probing = False
            if result.retryable:
                if result.retry_after:
                    self._throttled_until = moment + self._honoured(result.retry_after)
                break
        return attempts

    def start_background_worker(
        self, helpdesk: Helpdesk, interval: float = config.OUTBOX_INTERVAL_SECONDS
    ) -> BackgroundWorker:
        """Start a daemon thread that delivers due items now and then every ``interval`` seconds.

        A paused delivery probes at once: the worker may have been restarted with a fixed
        configuration.
        """
        if self.probe_now():
            logger.info("delivery is paused; probing the helpdesk at once")
        worker = BackgroundWorker("ticket outbox", lambda: self.deliver_due(helpdesk), interval)
        worker.start()
        return worker


class BackgroundWorker:
    """A daemon thread running one delivery round of an outbox periodically (the ticket and the
    mail outbox each have one); wake() runs a round at once."""

    def __init__(self, name: str, deliver_round: Callable[[], object], interval: float):
        self.name = name
        self.deliver_round = deliver_round
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=name.replace(" ", "-"), daemon=True
        )

    def start(self) -> None:
        """Start the thread; its first round runs at once (items left from before a restart)."""
        self._thread.start()

    def wake(self) -> None:
        """Run a delivery round now, e.g. right after an item was enqueued."""
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
                self.deliver_round()
            except Exception:  # a broken round must not end the worker
                logger.exception("%s round failed", self.name)
            self._wake.wait(self.interval)
