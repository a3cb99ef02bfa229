"""The Intercom client against a real local HTTP server standing in for api.intercom.io."""
from __future__ import annotations

from actions.helpdesk.base import render_text
from actions.helpdesk.intercom import IntercomHelpdesk
from tests.actions.helpdesk.fakes import FakeIntercom, RecordingServer, Reply, example_ticket

# What Intercom answers to Create a ticket: the ticket object.
CREATED = Reply(
    200, {"type": "ticket", "id": "494", "ticket_id": "33", "ticket_state": "submitted"}
)


def intercom(server: RecordingServer) -> IntercomHelpdesk:
    return IntercomHelpdesk("access-token", "1234", timeout=5, base_url=server.url)


def test_ticket_is_created_with_the_documented_request():
    ticket = example_ticket()
    with RecordingServer(CREATED) as server:
        result = intercom(server).deliver(ticket)

    assert result.delivered
    assert result.remote_id == "494"
    [request] = server.requests
    assert request.method == "POST"
    assert request.path == "/tickets"
    assert request.header("Authorization") == "Bearer access-token"
    assert request.header("Intercom-Version") == "2.14"
    assert request.header("Content-Type") == "application/json"
    assert request.json == {
        "ticket_type_id": "1234",
        "contacts": [{"email": "kunde@webshop.dk"}],
        "ticket_attributes": {
            "_default_title_": "[IEX-20261127-4T34] Order not transferred (Shopify, e-conomic): "
            "orders 10023, 10024",
            "_default_description_": render_text(ticket),
        },
        "created_at": 1795773660,  # 2026-11-27T10:01:00Z
    }


def test_the_api_version_is_pinned_by_configuration():
    with RecordingServer(CREATED) as server:
        helpdesk = IntercomHelpdesk(
            "access-token", "1234", timeout=5, api_version="2.11", base_url=server.url
        )
        helpdesk.deliver(example_ticket())

    assert server.requests[0].header("Intercom-Version") == "2.11"


def test_the_default_address_is_intercoms():
    assert IntercomHelpdesk("t", "1", timeout=5).url == "https://api.intercom.io/tickets"


def test_unknown_ticket_type_is_a_configuration_error():
    not_found = Reply(
        404, {"type": "error.list", "errors": [{"code": "not_found", "message": "Ticket type"}]}
    )
    with RecordingServer(not_found) as server:
        result = intercom(server).deliver(example_ticket())

    assert result.misconfigured
    assert "not_found" in result.error


def test_server_error_is_retryable():
    with RecordingServer(Reply(500, {"type": "error.list"})) as server:
        result = intercom(server).deliver(example_ticket())

    assert result.retryable


# --- the lookup before a repeated attempt ------------------------------------------------------


def test_the_lookup_searches_the_reference_in_the_titles_with_the_documented_request():
    with FakeIntercom() as server:
        result = intercom(server).find_delivered(example_ticket())

    assert result is None  # not there: the outbox creates it
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/tickets/search")
    assert request.header("Authorization") == "Bearer access-token"
    assert request.header("Intercom-Version") == "2.14"
    assert request.json == {
        "query": {"field": "title", "operator": "~", "value": "IEX-20261127-4T34"},
        "pagination": {"per_page": 5},
    }


def test_a_ticket_created_before_is_found_with_its_intercom_id():
    ticket = example_ticket()
    with FakeIntercom() as server:
        helpdesk = intercom(server)
        created = helpdesk.deliver(ticket)
        found = helpdesk.find_delivered(ticket)
        other = helpdesk.find_delivered(example_ticket(id="IEX-20261127-ZZZZ"))

    assert found.delivered and found.remote_id == created.remote_id == "1000"
    assert other is None


def test_a_title_that_only_mentions_the_reference_is_not_taken_for_the_ticket():
    reply = {"type": "ticket.list", "total_count": 1, "tickets": [
        {"id": "7", "ticket_attributes": {"_default_title_": "Re: IEX-20261127-4T34 again"}}]}
    with RecordingServer(Reply(200, reply)) as server:
        assert intercom(server).find_delivered(example_ticket()) is None


def test_a_failed_lookup_says_so_and_creates_nothing():
    with RecordingServer(Reply(503, {"type": "error.list"})) as server:
        result = intercom(server).find_delivered(example_ticket())

    assert result.retryable and result.error.startswith("looking the ticket up: HTTP 503")
    assert [request.path for request in server.requests] == ["/tickets/search"]
