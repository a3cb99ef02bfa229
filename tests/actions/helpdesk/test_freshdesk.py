"""The Freshdesk client against a real local HTTP server standing in for {domain}.freshdesk.com."""
from __future__ import annotations

import base64
import html

from actions.helpdesk.base import render_text
from actions.helpdesk.freshdesk import FreshdeskHelpdesk
from tests.actions.helpdesk.fakes import FakeFreshdesk, RecordingServer, Reply, example_ticket

# What Freshdesk answers to Create a Ticket: 201 with the ticket and its numeric id.
CREATED = Reply(201, {"id": 1, "status": 2, "priority": 1, "subject": "..."})


def freshdesk(server: RecordingServer) -> FreshdeskHelpdesk:
    return FreshdeskHelpdesk("iex", "my-api-key", timeout=5, base_url=server.url)


def test_ticket_is_created_with_the_documented_request():
    ticket = example_ticket()
    with RecordingServer(CREATED) as server:
        result = freshdesk(server).deliver(ticket)

    assert result.delivered
    assert result.remote_id == "1"
    [request] = server.requests
    assert request.method == "POST"
    assert request.path == "/api/v2/tickets"
    credentials = base64.b64encode(b"my-api-key:X").decode()
    assert request.header("Authorization") == f"Basic {credentials}"
    assert request.header("Content-Type") == "application/json"
    assert request.json == {
        "email": "kunde@webshop.dk",
        "name": "Mette Hansen",
        "subject": "[IEX-20261127-4T34] Order not transferred (Shopify, e-conomic): "
        "orders 10023, 10024",
        "description": html.escape(render_text(ticket)).replace("\n", "<br>\n"),
        "status": 2,
        "priority": 1,
        "source": 7,
        "tags": ["iex_assistant", "category_order_transfer", "system_shopify", "system_e_conomic",
                 "language_en", "IEX-20261127-4T34"],
    }


def test_description_is_escaped_because_freshdesk_reads_it_as_html():
    ticket = example_ticket(description="Use <ordernumber> & check the log")
    with RecordingServer(CREATED) as server:
        freshdesk(server).deliver(ticket)

    description = server.requests[0].json["description"]
    assert description.startswith("Use &lt;ordernumber&gt; &amp; check the log<br>\n")
    assert "<ordernumber>" not in description


def test_customer_without_a_name_is_sent_without_one():
    ticket = example_ticket(customer={"email": "ole@shop.dk", "name": None})
    with RecordingServer(CREATED) as server:
        freshdesk(server).deliver(ticket)

    assert "name" not in server.requests[0].json


def test_the_domain_decides_the_address():
    assert FreshdeskHelpdesk("iex", "key", timeout=5).url == "https://iex.freshdesk.com/api/v2/tickets"


def test_validation_error_is_a_permanent_failure():
    invalid = Reply(400, {"description": "Validation failed", "errors": [{"field": "email"}]})
    with RecordingServer(invalid) as server:
        result = freshdesk(server).deliver(example_ticket())

    assert result.permanent
    assert "Validation failed" in result.error


def test_rate_limit_is_retryable_after_the_time_freshdesk_asks_for():
    with RecordingServer(Reply(429, {"message": "limit"}, {"Retry-After": "60"})) as server:
        result = freshdesk(server).deliver(example_ticket())

    assert result.retryable
    assert result.retry_after == 60


# --- the lookup before a repeated attempt ------------------------------------------------------


def test_the_lookup_filters_by_the_reference_tag_with_the_documented_request():
    with FakeFreshdesk() as server:
        result = freshdesk(server).find_delivered(example_ticket())

    assert result is None  # not there: the outbox creates it
    [request] = server.requests
    assert request.method == "GET"
    # Filter Tickets: the query URL-encoded, in double quotes, the string value in single ones.
    assert request.path == "/api/v2/search/tickets?query=%22tag%3A%27IEX-20261127-4T34%27%22"
    credentials = base64.b64encode(b"my-api-key:X").decode()
    assert request.header("Authorization") == f"Basic {credentials}"


def test_a_ticket_created_before_is_found_with_its_freshdesk_id():
    ticket = example_ticket()
    with FakeFreshdesk() as server:
        helpdesk = freshdesk(server)
        created = helpdesk.deliver(ticket)
        found = helpdesk.find_delivered(ticket)
        other = helpdesk.find_delivered(example_ticket(id="IEX-20261127-ZZZZ"))

    assert found.delivered and found.remote_id == created.remote_id == "1"
    assert other is None


def test_a_failed_lookup_says_so_and_creates_nothing():
    with RecordingServer(Reply(429, {"message": "limit"}, {"Retry-After": "30"})) as server:
        result = freshdesk(server).find_delivered(example_ticket())

    assert result.retryable and result.retry_after == 30
    assert result.error.startswith("looking the ticket up: HTTP 429")
    assert [request.method for request in server.requests] == ["GET"]


def test_a_search_the_helpdesk_refuses_is_tried_again_and_never_fails_the_ticket():
    with RecordingServer(Reply(400, {"description": "Validation failed"})) as server:
        result = freshdesk(server).find_delivered(example_ticket())

    assert result.retryable and not result.permanent
    assert result.error.startswith("looking the ticket up: HTTP 400")
