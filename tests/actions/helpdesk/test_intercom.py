"""The Intercom client against a real local HTTP server standing in for api.intercom.io."""
from __future__ import annotations

from actions.helpdesk.base import render_text
from actions.helpdesk.intercom import IntercomHelpdesk
from tests.actions.helpdesk.fakes import RecordingServer, Reply, example_ticket

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


def test_unknown_ticket_type_is_a_permanent_failure():
    not_found = Reply(
        404, {"type": "error.list", "errors": [{"code": "not_found", "message": "Ticket type"}]}
    )
    with RecordingServer(not_found) as server:
        result = intercom(server).deliver(example_ticket())

    assert result.permanent
    assert "not_found" in result.error


def test_server_error_is_retryable():
    with RecordingServer(Reply(500, {"type": "error.list"})) as server:
        result = intercom(server).deliver(example_ticket())

    assert result.retryable
