"""Durable delivery: tickets survive helpdesk outages, throttling, timeouts and restarts, and
reach the helpdesk once."""
from __future__ import annotations

import threading
import time

import pytest

from actions.helpdesk import BotApiHelpdesk, DeliveryResult, Outcome
from actions.outbox import DELIVERED, FAILED, PENDING, Outbox, retry_delay
from tests.actions.helpdesk.fakes import RecordingServer, Reply, example_ticket, unused_port
from tickets import InvalidTicket

NOW = 1_795_773_600.0
TOKEN = "dev-ticket-token"


@pytest.fixture
def outbox(tmp_path) -> Outbox:
    return Outbox(tmp_path / "outbox.db", clock=lambda: NOW, retry_base=10, retry_cap=60)


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
        api.script = [Reply(429, {"error": "slow down"}, {"Retry-After": "120"})]

        first_round = outbox.deliver_due(helpdesk_at(api), now=NOW)
        waiting = outbox.get(ticket["idempotency_key"])
        during_pause = outbox.deliver_due(helpdesk_at(api), now=NOW + 60)
        after_pause = outbox.deliver_due(helpdesk_at(api), now=NOW + 120)

    assert [attempt.result.outcome for attempt in first_round] == [Outcome.RETRYABLE]
    assert (waiting.attempts, waiting.next_attempt_at) == (1, NOW + 120)
    assert during_pause == []
    assert len(after_pause) == 2 and all(attempt.result.delivered for attempt in after_pause)
    assert len(api.requests) == 3


def test_retry_after_of_an_unavailable_api_is_honoured(outbox):
    ticket = example_ticket()
    outbox.enqueue(ticket)
    with RecordingServer(Reply(503, "maintenance", {"Retry-After": "300"})) as api:
        outbox.deliver_due(helpdesk_at(api), now=NOW)

    assert outbox.get(ticket["idempotency_key"]).next_attempt_at == NOW + 300


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
    with RecordingServer(Reply(401, "bad token")) as refusing:
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


def test_concurrent_workers_deliver_each_ticket_once(tmp_path):
    path = tmp_path / "outbox.db"
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
