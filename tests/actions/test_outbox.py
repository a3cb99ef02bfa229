"""Durable delivery: tickets survive helpdesk outages, throttling, timeouts and restarts, and
reach the helpdesk once."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time

import psycopg2
import pytest

from actions.helpdesk import (
    BotApiHelpdesk,
    DeliveryResult,
    FreshdeskHelpdesk,
    IntercomHelpdesk,
    Outcome,
)
from actions.outbox import DELIVERED, FAILED, PENDING, Outbox, retry_delay
from tests.actions.helpdesk.fakes import (
    FakeFreshdesk,
    FakeIntercom,
    RecordingServer,
    Reply,
    example_ticket,
    unused_port,
)
from tickets import InvalidTicket

NOW = 1_795_773_600.0
TOKEN = "dev-ticket-token"


@pytest.fixture
def outbox(store_location) -> Outbox:
    return Outbox(store_location, clock=lambda: NOW, retry_base=10, retry_cap=60)


@pytest.fixture
def api():
    """A stand-in for the web app's ticket API: idempotent on the Idempotency-Key."""
    with RecordingServer(idempotent=True) as server:
        yield server


def helpdesk_at(server: RecordingServer, timeout: float = 5) -> BotApiHelpdesk:
    return BotApiHelpdesk(server.url, TOKEN, timeout=timeout)


def unreachable_helpdesk() -> BotApiHelpdesk:
    return BotApiHelpdesk(f"http://127.0.0.1:{unused_port()}", TOKEN, timeout=5)


def second_ticket() -> dict:
    return example_ticket(id="IEX-20261127-B2C3", idempotency_key="iex-second-hand-off-key")


class CrashingHelpdesk:
    """A helpdesk call during which the process dies."""

    name = "crashing"

    def deliver(self, ticket: dict) -> DeliveryResult:
        raise SystemExit("process killed mid-delivery")


class BrokenHelpdesk:
    """A helpdesk client with a bug."""

    name = "broken"

    def deliver(self, ticket: dict) -> DeliveryResult:
        raise KeyError("ticket_type_id")


# --- storing -----------------------------------------------------------------------------------


def test_ticket_is_stored_before_any_delivery_attempt(outbox, api):
    ticket = example_ticket()

    reference = outbox.enqueue(ticket)

    item = outbox.get(ticket["idempotency_key"])
    assert reference == ticket["id"]
    assert (item.status, item.attempts, item.ticket) == (PENDING, 0, ticket)
    assert api.requests == []


def test_enqueueing_the_same_hand_off_twice_keeps_one_ticket(outbox):
    ticket = example_ticket()
    replay = example_ticket(id="IEX-20261127-ZZZZ", description="built again a moment later")

    first = outbox.enqueue(ticket)
    second = outbox.enqueue(replay)

    assert first == second == ticket["id"]
    assert len(outbox.items()) == 1
    assert outbox.items()[0].ticket == ticket


def test_invalid_ticket_is_refused_and_not_stored(outbox):
    with pytest.raises(InvalidTicket):
        outbox.enqueue(example_ticket(status="open"))

    assert outbox.items() == []


def test_items_can_be_found_by_reference_and_counted(outbox, api):
    outbox.enqueue(example_ticket())
    outbox.enqueue(second_ticket())
    outbox.deliver_due(helpdesk_at(api), limit=1)

    assert outbox.find("IEX-20261127-B2C3").status == PENDING
    assert outbox.find("IEX-00000000-XXXX") is None
    assert outbox.counts() == {PENDING: 1, DELIVERED: 1, FAILED: 0}
    assert [item.reference for item in outbox.items(DELIVERED)] == [example_ticket()["id"]]


# --- delivering --------------------------------------------------------------------------------


def test_due_tickets_are_delivered_once(outbox, api):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    outbox.enqueue(second_ticket())

    attempts = outbox.deliver_due(helpdesk_at(api), now=NOW)
    again = outbox.deliver_due(helpdesk_at(api), now=NOW + 3600)

    assert [attempt.reference for attempt in attempts] == [ticket["id"], "IEX-20261127-B2C3"]
    assert all(attempt.result.delivered for attempt in attempts)
    assert again == []
    assert len(api.requests) == 2
    item = outbox.get(ticket["idempotency_key"])
    assert (item.status, item.attempts, item.remote_id) == (DELIVERED, 1, ticket["id"])
    assert (item.helpdesk, item.delivered_at, item.last_error) == ("bot_api", NOW, None)


def test_unreachable_api_is_retried_with_exponential_backoff(outbox, api):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    down = unreachable_helpdesk()

    delays = []
    moment = NOW
    for _ in range(5):
        [attempt] = outbox.deliver_due(down, now=moment)
        assert attempt.result.retryable
        item = outbox.get(ticket["idempotency_key"])
        delays.append(item.next_attempt_at - moment)
        moment = item.next_attempt_at

    assert delays == [10, 20, 40, 60, 60]
    assert item.status == PENDING and item.attempts == 5
    assert "ConnectionError" in item.last_error
    assert outbox.deliver_due(helpdesk_at(api), now=moment - 1) == []
    [attempt] = outbox.deliver_due(helpdesk_at(api), now=moment)
    assert attempt.result.delivered
    assert outbox.get(ticket["idempotency_key"]).attempts == 6


def test_server_error_is_retried(outbox):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    with RecordingServer(Reply(201), idempotent=True) as api:
        api.script = [Reply(500, "boom"), Reply(502, "bad gateway")]

        outbox.deliver_due(helpdesk_at(api), now=NOW)
        outbox.deliver_due(helpdesk_at(api), now=NOW + 10)
        outbox.deliver_due(helpdesk_at(api), now=NOW + 30)

    item = outbox.get(ticket["idempotency_key"])
    assert (item.status, item.attempts) == (DELIVERED, 3)
    assert len(api.requests) == 3
    assert len(api.created) == 1


def test_throttled_delivery_waits_as_long_as_the_api_asks(outbox):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    outbox.enqueue(second_ticket())
    with RecordingServer(Reply(201), idempotent=True) as api:
        api.script = [Reply(429, {"error": "slow down"}, {"Retry-After": "45"})]

        first_round = outbox.deliver_due(helpdesk_at(api), now=NOW)
        waiting = outbox.get(ticket["idempotency_key"])
        during_pause = outbox.deliver_due(helpdesk_at(api), now=NOW + 30)
        after_pause = outbox.deliver_due(helpdesk_at(api), now=NOW + 45)

    assert [attempt.result.outcome for attempt in first_round] == [Outcome.RETRYABLE]
    assert (waiting.attempts, waiting.next_attempt_at) == (1, NOW + 45)
    assert during_pause == []
    assert len(after_pause) == 2 and all(attempt.result.delivered for attempt in after_pause)
    assert len(api.requests) == 3


def test_retry_after_of_an_unavailable_api_is_honoured(outbox):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    with RecordingServer(Reply(503, "maintenance", {"Retry-After": "50"})) as api:
        outbox.deliver_due(helpdesk_at(api), now=NOW)

    assert outbox.get(ticket["idempotency_key"]).next_attempt_at == NOW + 50


def test_a_retry_after_of_a_day_waits_no_longer_than_the_retry_cap(outbox):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    outbox.enqueue(second_ticket())
    with RecordingServer(Reply(201), idempotent=True) as api:
        api.script = [Reply(429, {"error": "come back tomorrow"}, {"Retry-After": "86400"})]

        [throttled] = outbox.deliver_due(helpdesk_at(api), now=NOW)
        waiting = outbox.get(ticket["idempotency_key"])
        before_the_cap = outbox.deliver_due(helpdesk_at(api), now=NOW + 59)
        at_the_cap = outbox.deliver_due(helpdesk_at(api), now=NOW + 60)

    assert throttled.result.retry_after == 86400
    assert waiting.next_attempt_at == NOW + 60  # the fixture's retry cap
    assert before_the_cap == []
    assert [attempt.result.delivered for attempt in at_the_cap] == [True, True]


def test_outage_ends_the_round_without_touching_the_other_tickets(outbox):
    outbox.enqueue(example_ticket())
    outbox.enqueue(second_ticket())

    attempts = outbox.deliver_due(unreachable_helpdesk(), now=NOW)

    assert len(attempts) == 1
    assert outbox.get("iex-second-hand-off-key").attempts == 0


def test_timed_out_delivery_is_retried_without_a_second_ticket_at_the_api(outbox):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    with RecordingServer(Reply(201), idempotent=True) as api:
        # The helpdesk stores the ticket but answers too late: the answer is lost.
        api.script = [Reply(201, delay=0.3)]

        [lost] = outbox.deliver_due(helpdesk_at(api, timeout=0.05), now=NOW)
        [retried] = outbox.deliver_due(helpdesk_at(api), now=NOW + 10)

    assert lost.result.retryable and "Timeout" in lost.result.error
    assert retried.result.delivered and retried.result.status_code == 200
    assert len(api.requests) == 2
    assert list(api.created) == [ticket["idempotency_key"]]
    assert outbox.get(ticket["idempotency_key"]).status == DELIVERED


def test_refused_ticket_is_kept_as_failed_with_the_reason(outbox, api):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    with RecordingServer(Reply(422, {"problems": ["customer.email: bad"]})) as refusing:
        [attempt] = outbox.deliver_due(helpdesk_at(refusing), now=NOW)

    assert attempt.result.permanent
    item = outbox.get(ticket["idempotency_key"])
    assert item.status == FAILED
    assert "422" in item.last_error and "customer.email" in item.last_error
    assert outbox.deliver_due(helpdesk_at(api), now=NOW + 86400) == []
    assert outbox.items(FAILED)[0].ticket == ticket


def test_failed_tickets_can_be_sent_again_once_the_cause_is_fixed(outbox, api):
    outbox.enqueue(example_ticket())
    with RecordingServer(Reply(400, "customer.email: bad")) as refusing:
        outbox.deliver_due(helpdesk_at(refusing), now=NOW)

    assert outbox.retry_failed(now=NOW + 60) == 1
    [attempt] = outbox.deliver_due(helpdesk_at(api), now=NOW + 60)

    assert attempt.result.delivered
    assert outbox.counts() == {PENDING: 0, DELIVERED: 1, FAILED: 0}


def test_a_bug_in_a_client_does_not_lose_the_ticket(outbox, api):
    outbox.enqueue(example_ticket())

    [attempt] = outbox.deliver_due(BrokenHelpdesk(), now=NOW)

    assert attempt.result.retryable
    assert outbox.items()[0].last_error == "KeyError: 'ticket_type_id'"
    assert outbox.deliver_due(helpdesk_at(api), now=NOW + 10)[0].result.delivered


# --- restarts and concurrency ------------------------------------------------------------------


def test_restart_mid_retry_delivers_the_pending_ticket(tmp_path, api):
    path = tmp_path / "outbox.db"
    before = Outbox(path, retry_base=10, retry_cap=60)
    ticket = example_ticket()
    before.enqueue(ticket, now=NOW)
    before.deliver_due(unreachable_helpdesk(), now=NOW)
    del before

    after = Outbox(path, retry_base=10, retry_cap=60)
    [attempt] = after.deliver_due(helpdesk_at(api), now=NOW + 10)

    assert attempt.result.delivered
    assert after.get(ticket["idempotency_key"]).attempts == 2
    assert len(api.created) == 1


def test_worker_started_after_a_restart_delivers_what_was_queued_before(tmp_path, api):
    path = tmp_path / "outbox.db"
    Outbox(path).enqueue(example_ticket(), now=NOW)
    Outbox(path).enqueue(second_ticket(), now=NOW)

    restarted = Outbox(path, clock=lambda: NOW + 1)
    worker = restarted.start_background_worker(helpdesk_at(api), interval=30)
    try:
        assert api.wait_for_requests(2)
        deadline = time.monotonic() + 5
        while restarted.counts()[DELIVERED] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        worker.stop(timeout=5)

    assert restarted.counts() == {PENDING: 0, DELIVERED: 2, FAILED: 0}
    assert not worker.alive


def test_worker_can_be_woken_for_a_new_ticket(tmp_path, api):
    outbox = Outbox(tmp_path / "outbox.db")
    worker = outbox.start_background_worker(helpdesk_at(api), interval=60)
    try:
        outbox.enqueue(example_ticket())
        worker.wake()
        assert api.wait_for_requests(1)
    finally:
        worker.stop(timeout=5)


def test_process_dying_mid_delivery_leaves_the_ticket_for_later(tmp_path, api):
    path = tmp_path / "outbox.db"
    dying = Outbox(path, lease_seconds=120)
    dying.enqueue(example_ticket(), now=NOW)
    with pytest.raises(SystemExit):
        dying.deliver_due(CrashingHelpdesk(), now=NOW)

    restarted = Outbox(path, lease_seconds=120)
    assert restarted.deliver_due(helpdesk_at(api), now=NOW + 60) == []
    [attempt] = restarted.deliver_due(helpdesk_at(api), now=NOW + 120)

    assert attempt.result.delivered


def test_concurrent_workers_deliver_each_ticket_once(store_location):
    path = store_location
    Outbox(path).enqueue(example_ticket(), now=NOW)
    workers = [Outbox(path) for _ in range(4)]
    start = threading.Barrier(len(workers))
    results: list = []

    def run(worker: Outbox, helpdesk: BotApiHelpdesk) -> None:
        start.wait()
        results.extend(worker.deliver_due(helpdesk, now=NOW))

    with RecordingServer(Reply(201, delay=0.1), idempotent=True) as api:
        threads = [threading.Thread(target=run, args=(w, helpdesk_at(api))) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

    assert len(api.requests) == 1
    assert len(results) == 1 and results[0].result.delivered
    assert Outbox(path).counts()[DELIVERED] == 1


def test_backoff_doubles_up_to_the_cap():
    assert [retry_delay(n, 5, 60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


# --- references are unique -----------------------------------------------------------------------


class RepeatingRandom:
    """Draws the numbers given, in order (in place of a random.Random): forces collisions."""

    def __init__(self, *numbers: int):
        self.numbers = list(numbers)

    def getrandbits(self, k: int) -> int:
        return self.numbers.pop(0)


def hand_off(number: int, reference: str = "IEX-20261127-4T34") -> dict:
    """Another customer's hand-off whose seed gave the same reference as the example ticket."""
    return example_ticket(id=reference, idempotency_key=f"iex-other-hand-off-{number}")


def test_a_reference_another_customer_holds_is_replaced_before_the_ticket_is_stored(tmp_path):
    outbox = Outbox(tmp_path / "outbox.db", rng=RepeatingRandom(7, 7, 7, 8))
    first = outbox.enqueue(example_ticket())

    second = outbox.enqueue(hand_off(1))
    third = outbox.enqueue(hand_off(2))

    assert first == "IEX-20261127-4T34"
    assert len({first, second, third}) == 3
    assert all(reference.startswith("IEX-20261127-") for reference in (second, third))
    for key, reference in ((example_ticket()["idempotency_key"], first),
                           ("iex-other-hand-off-1", second), ("iex-other-hand-off-2", third)):
        stored = outbox.get(key)
        # The customer is told the reference the helpdesk will get.
        assert stored.reference == stored.ticket["id"] == reference
    assert outbox.find(second).idempotency_key == "iex-other-hand-off-1"


def test_a_replayed_hand_off_gets_its_first_reference_even_after_a_collision(tmp_path):
    outbox = Outbox(tmp_path / "outbox.db", rng=RepeatingRandom(7, 9))
    outbox.enqueue(example_ticket())
    told = outbox.enqueue(hand_off(1))

    assert outbox.enqueue(hand_off(1)) == told
    assert len(outbox.items()) == 2


def test_the_store_refuses_two_tickets_with_one_reference(outbox):
    outbox.enqueue(example_ticket())

    refused = pytest.raises((sqlite3.IntegrityError, psycopg2.IntegrityError))
    with refused, outbox.database.connect() as db:
        db.execute(
            "INSERT INTO outbox (idempotency_key, reference, ticket, status, next_attempt_at,"
            " created_at, updated_at) VALUES ('other', 'IEX-20261127-4T34', '{}', 'pending',"
            " 0, 0, 0)"
        )


def test_an_outbox_from_before_unique_references_is_repaired(tmp_path):
    path = tmp_path / "outbox.db"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE outbox (
                idempotency_key TEXT PRIMARY KEY, reference TEXT NOT NULL, ticket TEXT NOT NULL,
                status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at REAL NOT NULL, claim TEXT, last_error TEXT, remote_id TEXT,
                helpdesk TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
                delivered_at REAL);
            CREATE INDEX outbox_reference ON outbox (reference);
        """)
        for ticket, status in ((hand_off(1), FAILED), (example_ticket(), DELIVERED)):
            db.execute(
                "INSERT INTO outbox (idempotency_key, reference, ticket, status, next_attempt_at,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0, 0)",
                (ticket["idempotency_key"], ticket["id"], json.dumps(ticket), status),
            )

    outbox = Outbox(path)

    # The delivered one keeps its reference (the helpdesk has it), even though it came second.
    kept = outbox.get(example_ticket()["idempotency_key"])
    moved = outbox.get("iex-other-hand-off-1")
    assert kept.reference == kept.ticket["id"] == "IEX-20261127-4T34"
    assert moved.reference != kept.reference and moved.ticket["id"] == moved.reference
    assert moved.status == FAILED  # still listed as a dead letter, to be retried by staff


# --- a refused configuration pauses delivery ----------------------------------------------------


def test_a_refused_token_pauses_delivery_instead_of_failing_tickets(outbox, api, caplog):
    outbox.enqueue(example_ticket())
    outbox.enqueue(second_ticket())
    caplog.set_level(logging.WARNING, logger="actions.outbox")
    with RecordingServer(Reply(401, {"error": "a valid bearer token is required"})) as rotated:
        [refused] = outbox.deliver_due(helpdesk_at(rotated), now=NOW)
        during_the_pause = outbox.deliver_due(helpdesk_at(rotated), now=NOW + 9)
        [probe] = outbox.deliver_due(helpdesk_at(rotated), now=NOW + 10)
        pause = outbox.pause()

    assert refused.result.misconfigured and probe.result.misconfigured
    assert during_the_pause == []
    assert outbox.counts() == {PENDING: 2, DELIVERED: 0, FAILED: 0}
    assert (pause.status_code, pause.helpdesk, pause.paused_at) == (401, "bot_api", NOW)
    assert "a valid bearer token is required" in pause.reason
    assert (pause.probes, pause.next_probe_at) == (2, NOW + 10 + 20)  # backoff: 10, 20, 40 ...
    [alert] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert "paused" in alert.getMessage() and "401" in alert.getMessage()

    resumed = outbox.deliver_due(helpdesk_at(api), now=NOW + 30)

    assert [attempt.result.delivered for attempt in resumed] == [True, True]
    assert outbox.pause() is None
    assert outbox.counts() == {PENDING: 0, DELIVERED: 2, FAILED: 0}
    assert len(api.created) == 2


def test_the_probes_back_off_up_to_the_retry_cap(outbox):
    outbox.enqueue(example_ticket())
    with RecordingServer(Reply(403, "forbidden")) as refusing:
        waits, moment = [], NOW
        for _ in range(5):
            outbox.deliver_due(helpdesk_at(refusing), now=moment)
            waits.append(outbox.pause().next_probe_at - moment)
            moment = outbox.pause().next_probe_at

    assert waits == [10, 20, 40, 60, 60]
    assert len(refusing.requests) == 5


def test_every_process_on_the_outbox_sees_the_pause(store_location):
    path = store_location
    worker = Outbox(path, retry_base=10, retry_cap=60)
    worker.enqueue(example_ticket(), now=NOW)
    with RecordingServer(Reply(404, "no such endpoint")) as wrong_address:
        worker.deliver_due(helpdesk_at(wrong_address), now=NOW)

    other = Outbox(path, retry_base=10, retry_cap=60)
    with RecordingServer(Reply(201), idempotent=True) as api:
        assert other.deliver_due(helpdesk_at(api), now=NOW + 5) == []
    status = other.status()
    assert status.pause.status_code == 404 and status.needs_attention
    assert (status.pending, status.failed) == (1, 0)


def test_a_malformed_helpdesk_address_pauses_delivery(outbox):
    outbox.enqueue(example_ticket())

    [attempt] = outbox.deliver_due(BotApiHelpdesk("not a url", TOKEN, timeout=5), now=NOW)

    assert attempt.result.misconfigured
    assert outbox.pause() is not None and outbox.counts()[PENDING] == 1


def test_a_restarted_worker_probes_at_once(tmp_path, api):
    path = tmp_path / "outbox.db"
    before = Outbox(path, retry_base=600, retry_cap=900)
    before.enqueue(example_ticket())
    with RecordingServer(Reply(401, "bad token")) as rotated:
        before.deliver_due(helpdesk_at(rotated))
    assert before.pause().next_probe_at > time.time() + 500

    restarted = Outbox(path, retry_base=600, retry_cap=900)
    worker = restarted.start_background_worker(helpdesk_at(api), interval=30)
    try:
        assert api.wait_for_requests(1)
        deadline = time.monotonic() + 5
        while restarted.counts()[DELIVERED] < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        worker.stop(timeout=5)

    assert restarted.pause() is None
    assert restarted.counts()[DELIVERED] == 1


def test_a_probe_refused_for_what_the_ticket_holds_resumes_delivery_for_the_others(outbox, api):
    outbox.enqueue(example_ticket())
    outbox.enqueue(second_ticket())
    with RecordingServer(Reply(401, "bad token")) as rotated:
        outbox.deliver_due(helpdesk_at(rotated), now=NOW)
    with RecordingServer(Reply(201), idempotent=True) as fixed:
        fixed.script = [Reply(422, {"problems": ["customer.email: bad"]})]
        attempts = outbox.deliver_due(helpdesk_at(fixed), now=NOW + 10)

    assert [attempt.result.outcome for attempt in attempts] == [Outcome.PERMANENT,
                                                                Outcome.DELIVERED]
    assert outbox.pause() is None
    assert outbox.counts() == {PENDING: 0, DELIVERED: 1, FAILED: 1}


def test_a_probe_that_meets_an_outage_keeps_delivery_paused(outbox):
    outbox.enqueue(example_ticket())
    with RecordingServer(Reply(401, "bad token")) as rotated:
        outbox.deliver_due(helpdesk_at(rotated), now=NOW)

    [probe] = outbox.deliver_due(unreachable_helpdesk(), now=NOW + 10)

    assert probe.result.retryable
    assert (outbox.pause().probes, outbox.pause().next_probe_at) == (2, NOW + 10 + 20)
    assert outbox.counts()[PENDING] == 1


# --- dead letters --------------------------------------------------------------------------------


def test_one_failed_ticket_can_be_sent_again_by_its_reference(outbox, api):
    outbox.enqueue(example_ticket())
    outbox.enqueue(second_ticket())
    with RecordingServer(Reply(400, "bad request")) as refusing:
        outbox.deliver_due(helpdesk_at(refusing), now=NOW)
        outbox.deliver_due(helpdesk_at(refusing), now=NOW)

    assert outbox.retry("IEX-20261127-B2C3", now=NOW + 60)
    assert not outbox.retry("IEX-20261127-B2C3", now=NOW + 60)  # pending now, not failed
    assert not outbox.retry("IEX-00000000-XXXX", now=NOW + 60)
    [attempt] = outbox.deliver_due(helpdesk_at(api), now=NOW + 60)

    assert attempt.reference == "IEX-20261127-B2C3" and attempt.result.delivered
    assert [item.reference for item in outbox.items(FAILED)] == [example_ticket()["id"]]
    assert outbox.status().failed == 1


def test_retrying_while_paused_probes_at_once(outbox, api):
    outbox.enqueue(example_ticket())
    with RecordingServer(Reply(401, "bad token")) as rotated:
        outbox.deliver_due(helpdesk_at(rotated), now=NOW)

    assert outbox.retry_failed(now=NOW + 1) == 0
    [attempt] = outbox.deliver_due(helpdesk_at(api), now=NOW + 1)

    assert attempt.result.delivered and outbox.pause() is None


# --- no second ticket at helpdesks without an idempotency key -----------------------------------


def freshdesk_at(url: str, timeout: float = 5) -> FreshdeskHelpdesk:
    return FreshdeskHelpdesk("iex", "key", timeout=timeout, base_url=url)


def intercom_at(url: str, timeout: float = 5) -> IntercomHelpdesk:
    return IntercomHelpdesk("token", "1234", timeout=timeout, base_url=url)


WITHOUT_IDEMPOTENCY_KEYS = pytest.mark.parametrize(
    ("fake", "client", "remote_id", "lookup"),
    [(FakeFreshdesk, freshdesk_at, "1", "GET"), (FakeIntercom, intercom_at, "1000", "POST")],
    ids=["freshdesk", "intercom"],
)


@WITHOUT_IDEMPOTENCY_KEYS
def test_a_reply_lost_after_the_ticket_was_created_does_not_create_a_second(
    outbox, fake, client, remote_id, lookup
):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    with fake() as helpdesk:
        helpdesk.script = [Reply(201, delay=0.3, create_first=True)]

        [lost] = outbox.deliver_due(client(helpdesk.url, timeout=0.05), now=NOW)
        [retried] = outbox.deliver_due(client(helpdesk.url), now=NOW + 10)

    assert lost.result.retryable
    assert retried.result.delivered and retried.result.remote_id == remote_id
    assert helpdesk.references() == [ticket["id"]]
    assert [request.method for request in helpdesk.requests] == ["POST", lookup]
    item = outbox.get(ticket["idempotency_key"])
    assert (item.status, item.remote_id, item.attempts) == (DELIVERED, remote_id, 2)


@WITHOUT_IDEMPOTENCY_KEYS
def test_a_retry_after_an_attempt_that_never_arrived_creates_the_ticket(
    outbox, fake, client, remote_id, lookup
):
    outbox.enqueue(example_ticket())
    outbox.deliver_due(client(f"http://127.0.0.1:{unused_port()}"), now=NOW)
    with fake() as helpdesk:
        [retried] = outbox.deliver_due(client(helpdesk.url), now=NOW + 10)

    assert retried.result.delivered and retried.result.remote_id == remote_id
    assert helpdesk.references() == [example_ticket()["id"]]
    # The lookup found nothing, then the ticket was created.
    assert [request.method for request in helpdesk.requests] == [lookup, "POST"]


def test_a_worker_that_died_mid_delivery_makes_the_next_one_look_first(tmp_path):
    path = tmp_path / "outbox.db"
    dying = Outbox(path, lease_seconds=120)
    dying.enqueue(example_ticket(), now=NOW)
    with pytest.raises(SystemExit):
        dying.deliver_due(CrashingHelpdesk(), now=NOW)

    with FakeFreshdesk() as helpdesk:
        helpdesk.tickets.append({"id": 77, "subject": "[IEX-20261127-4T34] ...",
                                 "tags": ["IEX-20261127-4T34"], "status": 2})
        [attempt] = Outbox(path, lease_seconds=120).deliver_due(
            freshdesk_at(helpdesk.url), now=NOW + 120
        )

    assert attempt.result.delivered and attempt.result.remote_id == "77"
    assert [request.method for request in helpdesk.requests] == ["GET"]
