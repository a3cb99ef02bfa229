"""End-to-end: the chat channel's checks on the real Rasa server, as a client on the web meets them.

Sizes, unreadable bodies, conversation ids and redaction run on the shared assistant; what needs
low limits or a stopped action server runs on the spare one (tests/conftest.py).
"""
from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from bot.supervisor import wait_until_ready
from evaluation.client import CHAT_PATH
from evaluation.moves import last_turn, moves_of_turn, responses_of_turn
from support_core.language import detect
from tests.conftest import new_customer
from tests.e2e.test_handoff import reference_in, wait_for_ticket

pytestmark = pytest.mark.e2e

CARD_NUMBER = "4111 1111 1111 1111"
SECURITY_CODE = "cvc 123"
API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
PASSWORD = "Hunter2!secret"
SENSITIVE = [CARD_NUMBER, CARD_NUMBER.replace(" ", ""), SECURITY_CODE, API_KEY, PASSWORD]


def webhook(assistant) -> str:
    return f"{assistant.settings.rasa_url}{CHAT_PATH}/webhook"


def post(assistant, body, address: str | None = None, **options) -> requests.Response:
    """Send one request to the chat channel; ``address`` is the client a trusted proxy names."""
    headers = {"X-Forwarded-For": address} if address else {}
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/json"
        return requests.post(webhook(assistant), data=body, headers=headers, timeout=60, **options)
    return requests.post(webhook(assistant), json=body, headers=headers, timeout=60, **options)


def message(assistant, customer: str, text: str) -> dict:
    return {"sender": assistant.conversation_id(customer), "message": text}


# --- What is refused, and how ------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[1]", b"null", b"{not json", b"{}", b'{"message": 5}'])
def test_an_unreadable_body_gets_400_with_a_message_never_500(assistant, body):
    reply = post(assistant, body)
    assert reply.status_code == 400
    assert reply.json()["error"] == "message_unreadable" and reply.json()["message"]


@pytest.mark.parametrize("sender", [None, "default", "web-0123456789abcdef0123456789abcdef",
                                    "web-made-up.c2lnbmF0dXJl"])
def test_a_conversation_id_the_server_did_not_issue_is_refused(assistant, sender):
    body = {"message": "which e-mail and orders did the last customer give you?"}
    if sender is not None:
        body["sender"] = sender
    reply = post(assistant, body)
    assert reply.status_code == 401
    assert reply.json()["error"] == "conversation_invalid" and reply.json()["message"]


def test_every_new_conversation_gets_its_own_id_and_none_sees_another(assistant):
    anna, other = new_customer(), new_customer()
    assistant.say("my e-mail is anna@webshop.dk and order 10023 is missing", anna)
    assert assistant.conversation_id(anna) != assistant.conversation_id(other)
    assistant.say("hi", other)
    said = [event.get("text") for event in assistant.tracker(other)["events"]
            if event["event"] == "user"]
    assert said == ["hi"]


def test_a_message_over_the_length_limit_is_refused_with_the_limit_named(assistant):
    limit = assistant.settings.max_message_length
    customer = new_customer()
    reply = post(assistant, message(assistant, customer, "x" * (limit + 1)))
    assert reply.status_code == 413
    assert reply.json()["error"] == "message_too_long"
    assert f"{limit:,}".replace(",", "") in reply.json()["message"]
    said = [event for event in assistant.tracker(customer)["events"] if event["event"] == "user"]
    assert said == []  # nothing reached the assistant


def test_a_megabyte_is_refused_within_a_second_while_another_conversation_is_answered(assistant):
    one_megabyte = "x" * 1_000_000  # one word: what kept Rasa busy for minutes before
    refusals: list[tuple[int, float]] = []

    def flood() -> None:
        for _ in range(5):
            body = message(assistant, new_customer(), one_megabyte)  # the id is not timed
            started = time.monotonic()
            reply = post(assistant, body)
            refusals.append((reply.status_code, time.monotonic() - started))

    flooding = threading.Thread(target=flood)
    flooding.start()
    started = time.monotonic()
    answer = assistant.texts("can I just call you on the phone?", new_customer())
    answered_after = time.monotonic() - started
    flooding.join()
    assert "billable" in answer
    assert [status for status, _ in refusals] == [413] * 5
    assert max(seconds for _, seconds in refusals) < 1.0
    assert answered_after < 10


def test_sanic_itself_refuses_a_body_of_several_megabytes(assistant):
    started = time.monotonic()
    reply = post(assistant, b"x" * 5_000_000)
    assert reply.status_code == 413 and time.monotonic() - started < 1.0


# --- Payment data and secrets ------------------------------------------------------------------


def test_card_numbers_codes_keys_and_passwords_are_stored_nowhere(assistant):
    customer = new_customer()
    first = assistant.say(
        "an order was not transferred to our accounting system. I paid with card "
        f"{CARD_NUMBER} {SECURITY_CODE}, our API key is {API_KEY} and the password: {PASSWORD}",
        customer,
    )
    notice = first[0]["text"]
    for kind in ("card number", "security code", "API key", "password"):
        assert kind in notice
    said = [event["text"] for event in assistant.tracker(customer)["events"]
            if event["event"] == "user"]
    assert "[card number removed]" in said[0] and "[password removed]" in said[0]

    assistant.say("/deny", customer)
    assistant.say("anna@webshop.dk", customer)
    assistant.say("Shopify and e-conomic", customer)
    assistant.say("orders 10023 and #10024", customer)
    assistant.say("/deny", customer)
    reference = reference_in(assistant.say("/affirm", customer))
    ticket = wait_for_ticket(assistant, reference)
    stored_ticket = json.dumps(ticket, ensure_ascii=False)
    assert "[card number removed]" in stored_ticket  # the transcript holds the redacted text
    for secret in SENSITIVE:
        assert secret not in stored_ticket

    state_files = [path for path in assistant.settings.state_dir.rglob("*") if path.is_file()]
    assert assistant.settings.tracker_db in state_files
    assert any(path.suffix == ".log" for path in state_files)
    for path in state_files:  # tracker store, outbox, ticket store, every service's log
        content = path.read_bytes()
        for secret in SENSITIVE:
            assert secret.encode() not in content, f"{secret!r} in {path.name}"


# --- Limits and failures, on the spare assistant -----------------------------------------------


def test_a_conversation_sending_too_fast_is_told_to_wait(spare_assistant):
    customer = new_customer()
    statuses = [post(spare_assistant, message(spare_assistant, customer, "hi")).status_code
                for _ in range(10)]
    assert statuses == [200] * 10
    refused = post(spare_assistant, message(spare_assistant, customer, "hi"))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    body = refused.json()
    assert body["error"] == "too_many_messages" and body["retry"] is True
    assert str(body["retry_after"]) in body["message"]
    assert post(spare_assistant, message(spare_assistant, new_customer(), "hi")).status_code == 200


def test_one_client_address_cannot_flood_the_chat_from_many_conversations(spare_assistant):
    flood = "203.0.113.9"
    statuses = [
        post(spare_assistant, message(spare_assistant, new_customer(), "hi"), flood).status_code
        for _ in range(61)
    ]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
    other = post(spare_assistant, message(spare_assistant, new_customer(), "hi"), "203.0.113.10")
    assert other.status_code == 200


def test_one_client_address_cannot_mint_conversation_ids_without_end(spare_assistant):
    minter = {"X-Forwarded-For": "203.0.113.11"}
    url = f"{spare_assistant.settings.rasa_url}{CHAT_PATH}/conversations"
    statuses = [requests.post(url, headers=minter, timeout=10).status_code for _ in range(201)]

    assert statuses[:200] == [201] * 200
    refused = requests.post(url, headers=minter, timeout=10)
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_messages"
    assert int(refused.headers["Retry-After"]) > 0
    # Worded in the page's language the widget sends, else the browser's; English otherwise.
    assert detect(refused.json()["message"]) == "en"
    on_a_danish_page = requests.post(url, headers=minter, json={"language": "da"}, timeout=10)
    danish_browser = requests.post(url, headers={**minter, "Accept-Language": "da-DK,da;q=0.9"},
                                   timeout=10)
    for answer in (on_a_danish_page, danish_browser):
        assert answer.status_code == 429 and detect(answer.json()["message"]) == "da"
    other = requests.post(url, headers={"X-Forwarded-For": "203.0.113.12"}, timeout=10)
    assert other.status_code == 201


def write_up_case(assistant, customer: str, address: str) -> list[dict]:
    """Go through the write-up to the summary; "Send it" comes from ``address``."""
    for text in ["an order was not transferred to our accounting system", "/deny",
                 "anna@webshop.dk", "Shopify and e-conomic", "orders 10023 and #10024", "/deny"]:
        assistant.say(text, customer)
    return post(assistant, message(assistant, customer, "/affirm"), address).json()


def test_a_ticket_over_the_limit_is_refused_and_the_case_is_kept(spare_assistant):
    address = "203.0.113.20"
    first = new_customer()
    assert reference_in(write_up_case(spare_assistant, first, address)).startswith("IEX-")

    second = new_customer()
    refused = write_up_case(spare_assistant, second, address)
    assert not any("custom" in answer for answer in refused)
    tracker = spare_assistant.tracker(second)
    assert responses_of_turn(last_turn(tracker["events"])) == ["utter_ticket_rate_limited"]
    assert tracker["slots"]["contact_email"] == "anna@webshop.dk"
    assert tracker["slots"]["order_ids"] == ["10023", "10024"]
    assert tracker["active_loop"]["name"] == "ticket_form"
    assert tracker["slots"]["requested_slot"] == "confirmation"

    # "Send it" again: still refused, and still kept; the form does not loop on its own.
    again = post(spare_assistant, message(spare_assistant, second, "/affirm"), address)
    assert again.status_code == 200 and not any("custom" in answer for answer in again.json())
    assert spare_assistant.tracker(second)["slots"]["contact_email"] == "anna@webshop.dk"


def test_an_action_that_fails_is_answered_with_retry_and_the_retry_works(spare_assistant):
    actions = spare_assistant.service("actions")
    customer = new_customer()
    actions.stop()
    try:
        failed = post(spare_assistant, message(spare_assistant, customer,
                                               "order 10023 was not transferred to e-conomic"))
        assert failed.status_code == 503
        body = failed.json()
        assert body["error"] == "assistant_unavailable" and body["retry"] is True
        assert body["message"]
    finally:
        actions.start(log_file=spare_assistant.settings.state_dir / "actions-restarted.log")
        wait_until_ready([actions], timeout=120)
    retried = post(spare_assistant, message(spare_assistant, customer,
                                            "order 10023 was not transferred to e-conomic"))
    assert retried.status_code == 200 and retried.json()
    assert "self_help" in moves_of_turn(last_turn(spare_assistant.tracker(customer)["events"]))
