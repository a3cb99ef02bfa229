"""The embedded helpdesk client against a real local HTTP server."""
from __future__ import annotations

from actions.helpdesk.bot_api import BotApiHelpdesk
from tests.actions.helpdesk.fakes import RecordingServer, Reply, example_ticket, unused_port


def test_ticket_is_posted_as_json_with_bearer_token_and_idempotency_key():
    ticket = example_ticket()
    with RecordingServer(idempotent=True) as server:
        result = BotApiHelpdesk(server.url + "/", "dev-ticket-token", timeout=5).deliver(ticket)

    assert result.delivered
    assert result.remote_id == ticket["id"]
    assert result.status_code == 201
    [request] = server.requests
    assert request.method == "POST"
    assert request.path == "/api/tickets"
    assert request.header("Authorization") == "Bearer dev-ticket-token"
    assert request.header("Idempotency-Key") == ticket["idempotency_key"]
    assert request.header("Content-Type") == "application/json"
    assert request.json == ticket


def test_repeated_delivery_is_accepted_as_the_same_ticket():
    ticket = example_ticket()
    with RecordingServer(idempotent=True) as server:
        helpdesk = BotApiHelpdesk(server.url, "dev-ticket-token", timeout=5)
        first, second = helpdesk.deliver(ticket), helpdesk.deliver(ticket)

    assert first.delivered and second.delivered
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.remote_id == second.remote_id == ticket["id"]
    assert len(server.created) == 1


def test_wrong_token_is_a_configuration_error():
    with RecordingServer(Reply(401, {"error": "a valid bearer token is required"})) as server:
        result = BotApiHelpdesk(server.url, "wrong", timeout=5).deliver(example_ticket())

    assert result.misconfigured
    assert result.status_code == 401
    assert "401" in result.error and "bearer token" in result.error


def test_rejected_ticket_is_a_permanent_failure():
    with RecordingServer(Reply(422, {"problems": ["customer.email: bad"]})) as server:
        result = BotApiHelpdesk(server.url, "dev-ticket-token", timeout=5).deliver(example_ticket())

    assert result.permanent
    assert "customer.email" in result.error


def test_rate_limit_is_retryable_after_the_time_the_server_asks_for():
    with RecordingServer(Reply(429, {"error": "slow down"}, {"Retry-After": "30"})) as server:
        result = BotApiHelpdesk(server.url, "dev-ticket-token", timeout=5).deliver(example_ticket())

    assert result.retryable
    assert result.retry_after == 30


def test_server_error_is_retryable():
    with RecordingServer(Reply(503, "maintenance")) as server:
        result = BotApiHelpdesk(server.url, "dev-ticket-token", timeout=5).deliver(example_ticket())

    assert result.retryable
    assert result.status_code == 503
    assert result.retry_after is None


def test_unreachable_helpdesk_is_retryable():
    helpdesk = BotApiHelpdesk(f"http://127.0.0.1:{unused_port()}", "dev-ticket-token", timeout=5)

    result = helpdesk.deliver(example_ticket())

    assert result.retryable
    assert "ConnectionError" in result.error


def test_slow_helpdesk_times_out_as_retryable():
    with RecordingServer(Reply(201, {"id": "x"}, delay=0.3)) as server:
        result = BotApiHelpdesk(server.url, "dev-ticket-token", timeout=0.05).deliver(
            example_ticket()
        )

    assert result.retryable
    assert "Timeout" in result.error
