"""The delivery commands: list the failed tickets (and a pause), and queue them again."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from actions.helpdesk import BotApiHelpdesk
from actions.outbox import DELIVERED, FAILED, PENDING, Outbox
from bot.config import PROJECT_ROOT
from tests.actions.helpdesk.fakes import RecordingServer, Reply, example_ticket

REFUSED = "IEX-20261127-4T34"
OTHER = "IEX-20261127-B2C3D4"


def delivery(outbox_db, *arguments: str) -> subprocess.CompletedProcess:
    """``python -m actions.delivery ...`` on this outbox, as `make tickets-...` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "actions.delivery", *arguments], capture_output=True, text=True,
        cwd=PROJECT_ROOT, env={**os.environ, "IEX_OUTBOX_DB": str(outbox_db)}, timeout=60,
    )


def deliver_against(outbox: Outbox, reply: Reply) -> None:
    with RecordingServer(reply) as helpdesk:
        outbox.deliver_due(BotApiHelpdesk(helpdesk.url, "token", timeout=5))


@pytest.fixture
def refused(tmp_path) -> Outbox:
    """An outbox with two tickets the helpdesk refused (422)."""
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.enqueue(example_ticket())
    outbox.enqueue(example_ticket(id=OTHER, idempotency_key="iex-other-key"))
    for _ in range(2):
        deliver_against(outbox, Reply(422, {"problems": ["customer.email: bad"]}))
    return outbox


def test_failed_lists_each_failed_ticket_with_its_error(refused):
    listing = delivery(refused.database.location, "failed")

    assert listing.returncode == 0, listing.stderr
    assert "Delivery is running" in listing.stdout and "2 failed ticket(s)" in listing.stdout
    lines = [line for line in listing.stdout.splitlines() if REFUSED in line]
    assert len(lines) == 1 and "kunde@webshop.dk" in lines[0] and "HTTP 422" in lines[0]


def test_retry_of_one_reference_queues_only_that_ticket(refused):
    retried = delivery(refused.database.location, "retry", OTHER)

    assert retried.returncode == 0 and f"{OTHER} queued" in retried.stdout
    assert (refused.find(OTHER).status, refused.find(REFUSED).status) == (PENDING, FAILED)


def test_retry_of_an_unknown_reference_fails_and_changes_nothing(refused):
    retried = delivery(refused.database.location, "retry", "IEX-20261127-NOPE22")

    assert retried.returncode == 1 and "no failed ticket IEX-20261127-NOPE22" in retried.stderr
    assert refused.counts()[FAILED] == 2


def test_retry_all_queues_every_failed_ticket(refused):
    retried = delivery(refused.database.location, "retry", "--all")

    assert retried.returncode == 0 and "2 failed ticket(s) queued" in retried.stdout
    assert refused.counts()[PENDING] == 2


def test_failed_says_when_delivery_is_paused_and_retry_all_probes_at_once(tmp_path):
    outbox = Outbox(tmp_path / "outbox.db", retry_base=600)
    outbox.enqueue(example_ticket())
    deliver_against(outbox, Reply(401, {"error": "a valid bearer token is required"}))

    listing = delivery(outbox.database.location, "failed")
    retried = delivery(outbox.database.location, "retry", "--all")

    assert "PAUSED" in listing.stdout and "HTTP 401" in listing.stdout
    assert "1 ticket(s) waiting" in listing.stdout
    assert "probes the helpdesk at its next round" in retried.stdout
    assert outbox.pause().next_probe_at <= outbox.clock()


# --- two outbox workers at once -----------------------------------------------------------------


class OverlapRecordingHelpdesk(RecordingServer):
    """The web app's ticket API as RecordingServer plays it, which answers the first ticket only
    once a second one arrives while it is held: proof that two workers deliver at the same time."""

    def __init__(self):
        super().__init__(idempotent=True)
        self.overlapped = False

    def respond(self, request):
        if len(self.requests) == 1:  # called with the lock held; waiting lets the next one in
            self.overlapped = self._changed.wait_for(lambda: len(self.requests) > 1, timeout=8)
        return super().respond(request)


def start_outbox_worker(location, helpdesk_url: str, log_path) -> subprocess.Popen:
    """``python -m actions.delivery``, the supervisor's outbox worker, on this outbox."""
    postgres = isinstance(location, str)
    environment = {
        **os.environ,
        "IEX_DATABASE_URL": location if postgres else "",
        "IEX_OUTBOX_DB": "" if postgres else str(location),
        "IEX_HELPDESK": "bot_api",
        "IEX_TICKET_API_URL": helpdesk_url,
        "IEX_TICKET_API_TOKEN": "token",
        "IEX_OUTBOX_INTERVAL": "0.1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "actions.delivery"], cwd=PROJECT_ROOT, env=environment,
        stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,
    )


def wait_until(condition, timeout: float = 60) -> bool:
    """Poll ``condition`` until it holds; False if it did not within the timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_two_outbox_workers_deliver_each_ticket_exactly_once(store_location, tmp_path):
    outbox = Outbox(store_location)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with OverlapRecordingHelpdesk() as helpdesk:
        workers = [start_outbox_worker(store_location, helpdesk.url, log) for log in logs]
        try:
            assert wait_until(lambda: all(
                log.exists() and b"delivering tickets from" in log.read_bytes() for log in logs
            )), [log.read_text() for log in logs]
            references = [f"IEX-20261127-W{number:05d}" for number in range(12)]
            for reference in references:
                outbox.enqueue(example_ticket(id=reference, idempotency_key=f"key-{reference}"))

            assert wait_until(lambda: outbox.counts().get(PENDING, 0) == 0), outbox.counts()
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)

    delivered = [request.json["id"] for request in helpdesk.requests if request.method == "POST"]
    assert sorted(delivered) == references  # each reached the helpdesk, and only once
    assert {item.reference: item.status for item in outbox.items()} == dict.fromkeys(
        references, DELIVERED
    )
    assert helpdesk.overlapped  # the two workers were delivering at the same time
    assert [worker.returncode for worker in workers] == [0, 0]
