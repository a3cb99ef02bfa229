"""The Zendesk client against a real local HTTP server standing in for {subdomain}.zendesk.com."""
from __future__ import annotations

import base64

from actions.helpdesk.base import render_text
from actions.helpdesk.zendesk import ZendeskHelpdesk
from tests.actions.helpdesk.fakes import RecordingServer, Reply, example_ticket

# What Zendesk answers to Create Ticket: 201 with the created ticket.
CREATED = Reply(201, {"ticket": {"id": 35436, "subject": "...", "status": "new"}})


def locale(locale_id: int, code: str) -> Reply:
    """What Zendesk answers to Show Locale (GET /api/v2/locales/{code}.json)."""
    return Reply(200, {"locale": {"id": locale_id, "locale": code, "name": code}})


def zendesk(server: RecordingServer, **overrides) -> ZendeskHelpdesk:
    options = {"timeout": 5, "base_url": server.url} | overrides
    return ZendeskHelpdesk("iex", "agent@iex.dk", "abc123", **options)


def test_ticket_is_created_with_the_documented_request():
    ticket = example_ticket()
    with RecordingServer(CREATED) as server:
        server.script = [locale(1, "en-US")]
        result = zendesk(server).deliver(ticket)

    assert result.delivered
    assert result.remote_id == "35436"
    lookup, request = server.requests
    assert (lookup.method, lookup.path) == ("GET", "/api/v2/locales/en-US.json")
    assert request.method == "POST"
    assert request.path == "/api/v2/tickets.json"
    credentials = base64.b64encode(b"agent@iex.dk/token:abc123").decode()
    assert request.header("Authorization") == f"Basic {credentials}"
    assert request.header("Content-Type") == "application/json"
    assert request.header("Idempotency-Key") == ticket["idempotency_key"]
    assert request.json == {
        "ticket": {
            "subject": "[IEX-20261127-4T34] Order not transferred (Shopify, e-conomic): "
            "orders 10023, 10024",
            "comment": {"body": render_text(ticket)},
            "requester": {"name": "Mette Hansen", "email": "kunde@webshop.dk", "locale_id": 1},
            "tags": [
                "iex_assistant",
                "category_order_transfer",
                "system_shopify",
                "system_e_conomic",
                "language_en",
            ],
            "external_id": "IEX-20261127-4T34",
        }
    }


def test_requester_without_a_name_is_named_after_the_email():
    ticket = example_ticket(customer={"email": "ole@shop.dk", "name": None})
    with RecordingServer(CREATED) as server:
        zendesk(server).deliver(ticket)

    requester = server.requests[-1].json["ticket"]["requester"]
    assert (requester["name"], requester["email"]) == ("ole", "ole@shop.dk")


def test_a_danish_requester_gets_the_accounts_danish_locale_asked_once():
    helpdesk_tickets = [example_ticket(language="da"), example_ticket(language="da")]
    with RecordingServer(CREATED) as server:
        server.script = [locale(1176, "da")]
        helpdesk = zendesk(server)
        for ticket in helpdesk_tickets:
            helpdesk.deliver(ticket)

    lookup, *creates = server.requests
    assert lookup.path == "/api/v2/locales/da.json"
    assert lookup.header("Authorization") == creates[0].header("Authorization")
    assert [request.method for request in creates] == ["POST", "POST"]
    assert [request.json["ticket"]["requester"]["locale_id"] for request in creates] == [1176, 1176]


def test_a_refused_locale_lookup_sends_the_ticket_without_one_and_is_not_repeated():
    with RecordingServer(CREATED) as server:
        server.script = [Reply(404, {"error": "RecordNotFound"})]
        helpdesk = zendesk(server)
        first = helpdesk.deliver(example_ticket(language="da"))
        helpdesk.deliver(example_ticket(language="da"))

    assert first.delivered
    assert [request.method for request in server.requests] == ["GET", "POST", "POST"]
    assert "locale_id" not in server.requests[1].json["ticket"]["requester"]


def test_a_locale_lookup_that_may_pass_later_is_asked_again():
    with RecordingServer(CREATED) as server:
        server.script = [Reply(503, "down"), CREATED, locale(1176, "da")]
        helpdesk = zendesk(server)
        helpdesk.deliver(example_ticket(language="da"))
        helpdesk.deliver(example_ticket(language="da"))

    assert [request.method for request in server.requests] == ["GET", "POST", "GET", "POST"]
    assert "locale_id" not in server.requests[1].json["ticket"]["requester"]
    assert server.requests[3].json["ticket"]["requester"]["locale_id"] == 1176


def test_urgency_request_becomes_a_tag_not_a_priority():
    with RecordingServer(CREATED) as server:
        zendesk(server).deliver(example_ticket(urgent_requested=True))

    sent = server.requests[-1].json["ticket"]
    assert "urgent_requested" in sent["tags"]
    assert "priority" not in sent


def test_the_subdomain_decides_the_address():
    helpdesk = ZendeskHelpdesk("iex", "agent@iex.dk", "abc123", timeout=5)

    assert helpdesk.url == "https://iex.zendesk.com/api/v2/tickets.json"


def test_invalid_record_is_a_permanent_failure():
    invalid = Reply(422, {"error": "RecordInvalid", "description": "Record validation errors"})
    with RecordingServer(invalid) as server:
        result = zendesk(server).deliver(example_ticket())

    assert result.permanent
    assert "RecordInvalid" in result.error


def test_rate_limit_is_retryable_after_the_time_zendesk_asks_for():
    with RecordingServer(Reply(429, "Rate limited", {"Retry-After": "93"})) as server:
        result = zendesk(server).deliver(example_ticket())

    assert result.retryable
    assert result.retry_after == 93
