"""The fault run: tickets handed off through the real action server reach the helpdesk exactly
once while the helpdesk fails in every way we know and the worker and action server are killed.

Per helpdesk (the web app's real ticket API, and Freshdesk and Intercom stand-ins that have no
idempotency key), 50 confirmed cases go through the action server's /webhook as Rasa sends them.
A proxy in front of the helpdesk answers 500s and 429s with Retry-After, hangs past the timeout,
drops replies after the ticket was created, and is down for a few seconds; the outbox worker is
killed with SIGKILL right after the helpdesk created a ticket (3 times) and the action server in
the middle of a hand-off (twice). Every customer must be told one reference, and the helpdesk must
hold every reference exactly once. Also: a rotated token pauses delivery (shown in the inbox) and
a worker restarted with the right one delivers everything once.
"""
from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import pytest
import requests

from actions.outbox import DELIVERED, FAILED, PENDING, Outbox
from bot.config import Settings
from bot.inbox.staff import StaffStore
from bot.supervisor import (
    Service,
    action_server,
    outbox_worker,
    private_settings,
    wait_until_ready,
    web_app,
)
from rasa_sdk_plugins.action_guard import SECRET_HEADER
from tests.actions.helpdesk.fakes import FakeFreshdesk, FakeIntercom, example_ticket
from tests.conftest import inbox_session
from tests.conversation_builders import bot_event, problem_report, user_event
from tests.e2e.fault_proxy import FAULTS, FaultInjectingProxy

pytestmark = pytest.mark.e2e

TICKETS = 50
ACTION_SERVER_KILLS = 2
DOWN_SECONDS = 3
#: Small timeouts and retry delays, so the whole run takes seconds instead of hours.
FAST_DELIVERY = {
    "IEX_HELPDESK_TIMEOUT": "0.8", "IEX_RETRY_BASE": "0.2", "IEX_RETRY_CAP": "1",
    "IEX_OUTBOX_INTERVAL": "0.2",
}
DELIVERY_DEADLINE_SECONDS = 90
STAFF, PASSWORD = "mette@iex.dk", "correct horse battery staple"


def action_server_headers(settings: Settings) -> dict[str, str]:
    """Headers of every call to the action server, as Rasa sends them, with its shared secret."""
    return {"Content-Type": "application/json", SECRET_HEADER: settings.action_secret}


# --- the services -----------------------------------------------------------------------------


@dataclass
class Run:
    """The services of one fault run, started on a private state folder."""

    settings: Settings
    worker_environment: dict[str, str]
    services: list[Service] = field(default_factory=list)

    def start(self, *services: Service) -> Service:
        """Start the services together, wait until all answer; returns the last one."""
        for service in services:
            environment = self.worker_environment if service.name == "outbox" else {}
            service.env.update(FAST_DELIVERY | environment)
            service.start(log_file=self.settings.state_dir / f"{service.name}.log")
            self.services.append(service)
        wait_until_ready(list(services))
        return services[-1]

    def start_worker(self) -> Service:
        return self.start(outbox_worker(self.settings))

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.settings.outbox_db)

    def log(self, name: str) -> str:
        return (self.settings.state_dir / f"{name}.log").read_text(errors="replace")


def kill(service: Service) -> None:
    """SIGKILL the service's own process group (started by this test), and reap it."""
    os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait(timeout=10)


class WorkerNanny:
    """Restarts the outbox worker whenever it has died, as a supervisor would."""

    def __init__(self, run: Run, worker: Service):
        self.run, self.worker = run, worker
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def kill_worker(self) -> None:
        kill(self.worker)

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            if self.worker.has_exited():
                self.worker.start(log_file=self.run.settings.state_dir / "outbox.log")
                self.restarts += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@contextmanager
def started(run: Run):
    try:
        yield run
    finally:
        run.stop()


# --- handing off over the action server's webhook ---------------------------------------------


def confirmed_case(number: int) -> dict:
    """The action server's request for action_create_ticket on a confirmed case of its own."""
    sender = f"fault-run-customer-{number}"
    events = [
        problem_report(f"order {10000 + number} never reached e-conomic", "e-conomic",
                       timestamp=1_795_773_600.0 + number),
        bot_event("Here is your case as I'll send it", timestamp=1_795_773_601.0 + number),
        user_event("/affirm", "affirm", timestamp=1_795_773_602.0 + number),
    ]
    slots = {
        "contact_email": f"kunde{number}@webshop.dk", "ticket_systems": ["Shopify", "e-conomic"],
        "description": f"order {10000 + number} never reached e-conomic", "examples": "given",
        "order_ids": [str(10000 + number)], "product_ids": [], "other_references": [],
        "log_checked": False, "log_status": None, "articles_shown": [],
        "confirmation": "confirmed", "problem_category": "order_transfer",
    }
    return {
        "next_action": "action_create_ticket", "sender_id": sender, "version": "3.6.2",
        "tracker": {"sender_id": sender, "slots": slots, "latest_message": events[-1]["parse_data"],
                    "events": events, "paused": False, "followup_action": None,
                    "active_loop": {}, "latest_action_name": "action_listen"},
        "domain": {},
    }


def told_reference(reply: requests.Response) -> str:
    """The reference the customer is told: the ticket_reference slot the action set."""
    reply.raise_for_status()
    [reference] = [event["value"] for event in reply.json()["events"]
                   if event.get("event") == "slot" and event.get("name") == "ticket_reference"]
    return reference


def hand_off(run: Run, call: dict, deadline: float = 30) -> str:
    """Send the hand-off until the action server answers (a replay, as after a crash)."""
    url = f"http://localhost:{run.settings.action_port}/webhook"
    give_up = time.monotonic() + deadline
    while True:
        try:
            return told_reference(requests.post(
                url, json=call, headers=action_server_headers(run.settings), timeout=10
            ))
        except requests.ConnectionError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.2)


def hand_off_while_killing_the_action_server(run: Run, actions: Service, call: dict) -> str:
    """Kill the action server while a hand-off is on its way, restart it, and replay."""
    first: list[str] = []

    def send() -> None:
        try:
            first.append(told_reference(requests.post(
                f"http://localhost:{run.settings.action_port}/webhook", json=call,
                headers=action_server_headers(run.settings), timeout=10,
            )))
        except requests.RequestException:
            pass

    in_flight = threading.Thread(target=send)
    in_flight.start()
    time.sleep(0.01)
    kill(actions)
    in_flight.join(15)
    actions.start(log_file=run.settings.state_dir / "actions.log")
    wait_until_ready([actions])
    replayed = hand_off(run, call)
    assert first in ([], [replayed]), "a replayed hand-off told the customer another reference"
    return replayed


def hand_off_cases(run: Run, actions: Service) -> dict[str, str]:
    """Hand off every case, killing the action server twice on the way; sender -> reference."""
    kills_at = {TICKETS * (n + 1) // (ACTION_SERVER_KILLS + 1) for n in range(ACTION_SERVER_KILLS)}
    told = {}
    for number in range(TICKETS):
        call = confirmed_case(number)
        if number in kills_at:
            told[call["sender_id"]] = hand_off_while_killing_the_action_server(run, actions, call)
        else:
            told[call["sender_id"]] = hand_off(run, call)
    return told


def wait_until_delivered(run: Run, count: int) -> None:
    deadline = time.monotonic() + DELIVERY_DEADLINE_SECONDS
    while run.outbox.counts()[DELIVERED] < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"not delivered in time: {run.outbox.counts()}\n"
                                 + run.log("outbox")[-3000:])
        time.sleep(0.2)


# --- the fault run, per helpdesk --------------------------------------------------------------


@dataclass(frozen=True)
class Helpdesk:
    """How to put one helpdesk behind the proxy and read back what it holds."""

    name: str
    create_paths: tuple[str, ...]


BOT_API = Helpdesk("bot_api", ("/api/tickets",))
FRESHDESK = Helpdesk("freshdesk", ("/api/v2/tickets",))
INTERCOM = Helpdesk("intercom", ("/tickets",))


def worker_settings(helpdesk: Helpdesk, proxy_url: str) -> dict[str, str]:
    if helpdesk is BOT_API:
        return {"IEX_HELPDESK": "bot_api", "IEX_TICKET_API_URL": proxy_url}
    if helpdesk is FRESHDESK:
        return {"IEX_HELPDESK": "freshdesk", "IEX_FRESHDESK_URL": proxy_url,
                "IEX_FRESHDESK_API_KEY": "fault-run-key"}
    return {"IEX_HELPDESK": "intercom", "IEX_INTERCOM_URL": proxy_url,
            "IEX_INTERCOM_ACCESS_TOKEN": "fault-run-token", "IEX_INTERCOM_TICKET_TYPE_ID": "7"}


def bot_api_references(settings: Settings) -> list[str]:
    reply = requests.get(
        f"http://localhost:{settings.port}/api/tickets", params={"limit": 500},
        headers={"Authorization": f"Bearer {settings.ticket_api_token}"}, timeout=30,
    )
    reply.raise_for_status()
    return [ticket["id"] for ticket in reply.json()["tickets"]]


#: After which created ticket (1st, 2nd ...) the worker is killed, and the helpdesk goes down.
KILL_WORKER_AFTER_CREATES = (4, 17, 31)
DOWN_AFTER_CREATE = 10


def fault_schedule(proxy: FaultInjectingProxy, nanny: WorkerNanny) -> list:
    """One callback per created ticket, in order: mostly nothing, sometimes a kill or an outage."""
    schedule: list = [lambda: None] * max(KILL_WORKER_AFTER_CREATES)
    for number in KILL_WORKER_AFTER_CREATES:
        schedule[number - 1] = nanny.kill_worker
    schedule[DOWN_AFTER_CREATE - 1] = lambda: threading.Thread(
        target=proxy.take_down, args=(DOWN_SECONDS,), daemon=True
    ).start()
    return schedule


@pytest.mark.parametrize("helpdesk", [BOT_API, FRESHDESK, INTERCOM], ids=lambda h: h.name)
def test_every_ticket_reaches_the_helpdesk_exactly_once_through_faults_and_kills(
    tmp_path, helpdesk
):
    settings = private_settings(tmp_path)
    with ExitStack() as stack:
        held = None
        if helpdesk is BOT_API:
            upstream_url = f"http://localhost:{settings.port}"
        else:
            held = stack.enter_context(FakeFreshdesk() if helpdesk is FRESHDESK
                                       else FakeIntercom())
            upstream_url = held.url
        proxy = stack.enter_context(FaultInjectingProxy(
            upstream_url, helpdesk.create_paths, seed=helpdesk.name, hang_seconds=1.5,
        ))
        run = stack.enter_context(started(Run(settings, worker_settings(helpdesk, proxy.url))))
        upstream = [web_app(settings)] if helpdesk is BOT_API else []
        actions = run.start(*upstream, action_server(settings))
        nanny = WorkerNanny(run, run.start_worker())
        stack.callback(nanny.stop)
        proxy.after_create.extend(fault_schedule(proxy, nanny))

        started_at = time.monotonic()
        told = hand_off_cases(run, actions)
        wait_until_delivered(run, TICKETS)
        seconds = time.monotonic() - started_at
        references = bot_api_references(settings) if held is None else held.references()

    assert len(set(told.values())) == TICKETS, "two customers were told the same reference"
    assert Counter(references) == Counter(set(told.values())), (
        "not every ticket arrived exactly once"
    )
    delivered = run.outbox.items(DELIVERED)
    assert {item.reference for item in delivered} == set(told.values())
    assert all(item.remote_id for item in delivered)
    assert run.outbox.counts() == {PENDING: 0, DELIVERED: TICKETS, FAILED: 0}
    assert run.outbox.pause() is None
    # The faults really happened.
    assert all(proxy.counts[fault] > 0 for fault in FAULTS), proxy.counts
    assert nanny.restarts == len(KILL_WORKER_AFTER_CREATES)
    print(f"\n{helpdesk.name}: {TICKETS} tickets in {seconds:.1f} s, {dict(proxy.counts)},"
          f" {proxy.creates} creates at the helpdesk, worker restarts {nanny.restarts}")


# --- a rotated token ----------------------------------------------------------------------------


def banner(browser: requests.Session, settings: Settings) -> str:
    page = browser.get(f"http://localhost:{settings.port}/inbox/tickets", timeout=30).text
    found = re.search(r'<p class="alert" role="alert" id="delivery-banner">(.*?)</p>', page, re.S)
    return " ".join(found.group(1).split()) if found else ""


def wait_for(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def probes(outbox: Outbox) -> int:
    pause = outbox.pause()
    return pause.probes if pause else 0


def test_a_rotated_token_pauses_delivery_shows_in_the_inbox_and_resumes_once_fixed(tmp_path):
    settings = private_settings(tmp_path)
    StaffStore(settings.staff_db).create(STAFF, PASSWORD)
    references = [f"IEX-20261127-RT{number:04d}" for number in range(5)]
    outbox = Outbox(settings.outbox_db)
    for number, reference in enumerate(references):
        outbox.enqueue(example_ticket(id=reference, idempotency_key=f"iex-rotated-{number}"))
    run = Run(settings, {"IEX_TICKET_API_TOKEN": "the-token-before-rotation"})
    with started(run):
        run.start(web_app(settings))
        stale = run.start_worker()
        wait_for(lambda: probes(outbox) >= 3, "delivery to pause and probe again")
        browser = inbox_session(settings, STAFF, PASSWORD)
        paused_banner = banner(browser, settings)
        assert outbox.counts() == {PENDING: 5, DELIVERED: 0, FAILED: 0}
        assert bot_api_references(settings) == []

        stale.stop()  # the operator fixes the token and restarts the worker
        run.worker_environment = {}
        run.start_worker()
        wait_for(lambda: outbox.counts()[DELIVERED] == 5, "delivery after the fix")
        delivered = Counter(bot_api_references(settings))
        after_banner = banner(browser, settings)
        worker_log = run.log("outbox")

    assert "Ticket delivery is paused" in paused_banner and "HTTP 401" in paused_banner
    assert "5 tickets kept and waiting" in paused_banner
    assert re.search(r"ERROR ALERT: ticket delivery to bot_api is paused", worker_log)
    assert delivered == Counter(references)
    assert outbox.pause() is None and after_banner == ""
