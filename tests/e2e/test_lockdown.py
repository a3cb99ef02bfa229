"""End-to-end: what the public can reach of the running assistant, and what its logs keep.

The action server answers only Rasa (shared secret) and only on this machine, Rasa accepts browser
calls only from the site's pages, and a customer's message ends up in no service's log.
"""
from __future__ import annotations

import socket
import time
import uuid

import pytest
import requests

from rasa_sdk_plugins.action_guard import SECRET_HEADER
from tests.conftest import new_customer

pytestmark = pytest.mark.e2e


def forged_ticket_call(email: str) -> dict:
    """What Rasa would post to run action_create_ticket for a confirmed case, made up."""
    sender = new_customer()
    slots = {"confirmation": "confirmed", "contact_email": email,
             "problem_category": "order_transfer", "description": "made-up case"}
    return {
        "next_action": "action_create_ticket", "sender_id": sender, "version": "3.6.2",
        "tracker": {"sender_id": sender, "slots": slots, "events": [], "latest_message": {}},
        "domain": {},
    }


def ticket_emails(assistant) -> set[str]:
    return {ticket["customer"]["email"] for ticket in assistant.tickets()}


def wait_for_ticket_email(assistant, email: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while email not in ticket_emails(assistant):
        if time.monotonic() > deadline:
            raise AssertionError(f"no ticket for {email} reached the ticket API")
        time.sleep(0.5)


def test_only_calls_with_rasas_secret_run_actions(assistant):
    webhook = f"http://localhost:{assistant.settings.action_port}/webhook"
    tag = uuid.uuid4().hex[:8]
    refused = {
        f"no-secret-{tag}@example.com": {},
        f"wrong-secret-{tag}@example.com": {SECRET_HEADER: "guess"},
        f"empty-secret-{tag}@example.com": {SECRET_HEADER: ""},
    }
    for email, headers in refused.items():
        reply = requests.post(webhook, json=forged_ticket_call(email), headers=headers, timeout=30)
        assert reply.status_code == 401, reply.text
    listing = f"http://localhost:{assistant.settings.action_port}/actions"
    assert requests.get(listing, timeout=30).status_code == 401
    health = f"http://localhost:{assistant.settings.action_port}/health"
    assert requests.get(health, timeout=30).status_code == 200

    # The same call with the secret Rasa sends does create a ticket, so the refusals above count.
    allowed = f"with-secret-{tag}@example.com"
    reply = requests.post(
        webhook, json=forged_ticket_call(allowed),
        headers={SECRET_HEADER: assistant.settings.action_secret}, timeout=30,
    )
    assert reply.status_code == 200, reply.text
    wait_for_ticket_email(assistant, allowed)
    assert not ticket_emails(assistant) & refused.keys()


def test_a_failing_action_call_is_answered_without_repeating_the_tracker(assistant):
    call = forged_ticket_call("x@example.com")
    del call["tracker"]["slots"]["contact_email"]
    call["tracker"]["events"] = [{"event": "user", "text": "zebra-secret-words"}]
    reply = requests.post(
        f"http://localhost:{assistant.settings.action_port}/webhook", json=call,
        headers={SECRET_HEADER: assistant.settings.action_secret}, timeout=30,
    )
    assert reply.status_code == 500
    assert "zebra-secret-words" not in reply.text


def this_machines_address() -> str | None:
    """An address of this machine other than loopback, or None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks a route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def answers(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=2).close()
        return True
    except OSError:
        return False


def test_the_services_listen_on_this_machine_only(assistant):
    address = this_machines_address()
    if address is None:
        pytest.skip("this machine has no address other than loopback")
    settings = assistant.settings
    for port in (settings.action_port, settings.rasa_port, settings.port):
        assert answers("127.0.0.1", port)
        assert not answers(address, port), f"port {port} answers on {address}"


def test_only_the_sites_pages_may_call_rasa_from_a_browser(assistant):
    def allowed_origin(origin: str) -> str | None:
        reply = requests.get(f"{assistant.settings.rasa_url}/", headers={"Origin": origin},
                             timeout=30)
        return reply.headers.get("Access-Control-Allow-Origin")

    site = f"http://localhost:{assistant.settings.port}"
    assert allowed_origin(site) == site
    for foreign in ("https://evil.example", "http://localhost.evil.example",
                    f"http://evil.example/{site}", "null"):
        assert allowed_origin(foreign) is None, foreign


def test_a_customers_words_reach_no_log(assistant):
    marker = f"zebra{uuid.uuid4().hex[:10]}"
    customer = new_customer()
    answers_to = {
        "ask:contact_email": f"{marker}@example.com",
        "ask:ticket_systems": f"Shopify and {marker}",
        "ask:examples": f"orders 10023 and {marker}",
        "ask:log_checked": f"it said {marker} failed",
    }
    reply = assistant.did(f"{marker} order 10023 was not transferred to e-conomic", customer)
    reply = assistant.did("/deny", customer)
    for _ in range(8):
        if "ask:confirmation" in reply.moves:
            break
        asked = next(move for move in reply.moves if move in answers_to)
        reply = assistant.did(answers_to[asked], customer)
    assert "ask:confirmation" in reply.moves, reply.moves
    assert "ticket_created" in assistant.did("/affirm", customer).moves
    wait_for_ticket_email(assistant, f"{marker}@example.com")

    logs = sorted(assistant.settings.state_dir.glob("*.log"))
    assert {log.stem for log in logs} >= {"rasa", "actions", "outbox", "web"}
    leaks = [log.name for log in logs if marker in log.read_text(errors="replace")]
    assert leaks == []
