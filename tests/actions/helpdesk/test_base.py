"""What all helpdesk clients share: outcomes, Retry-After, and how a ticket reads as text."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

import requests

from actions.helpdesk.base import (
    Outcome,
    call_helpdesk,
    classify_response,
    parse_retry_after,
    render_text,
    tags,
)
from tests.actions.helpdesk.fakes import RecordingServer, Reply, example_ticket


def test_retry_after_in_seconds():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 1.5 ") == 1.5


def test_retry_after_as_a_date_counts_from_now():
    now = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc).timestamp()
    later = format_datetime(datetime(2026, 11, 27, 10, 2, tzinfo=timezone.utc), usegmt=True)

    assert parse_retry_after(later, now=now) == 120


def test_retry_after_in_the_past_or_unreadable():
    now = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc).timestamp()
    earlier = format_datetime(datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc), usegmt=True)

    assert parse_retry_after(earlier, now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def _response(status: int, text: str = "", headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = text.encode()
    response.headers.update(headers or {})
    return response


def test_status_codes_map_to_outcomes():
    outcomes = {
        status: classify_response(_response(status, "{}"), lambda reply: None).outcome
        for status in (200, 201, 301, 400, 401, 402, 403, 404, 405, 408, 409, 410, 413, 422, 429,
                       500, 502, 503)
    }

    assert outcomes == {
        200: Outcome.DELIVERED,
        201: Outcome.DELIVERED,
        # Our setup is wrong, whatever the ticket: delivery pauses instead of failing tickets.
        301: Outcome.MISCONFIGURED,
        401: Outcome.MISCONFIGURED,
        402: Outcome.MISCONFIGURED,
        403: Outcome.MISCONFIGURED,
        404: Outcome.MISCONFIGURED,
        405: Outcome.MISCONFIGURED,
        410: Outcome.MISCONFIGURED,
        # The helpdesk read this ticket and refused it: a dead letter, other tickets go on.
        400: Outcome.PERMANENT,
        409: Outcome.PERMANENT,
        413: Outcome.PERMANENT,
        422: Outcome.PERMANENT,
        408: Outcome.RETRYABLE,
        429: Outcome.RETRYABLE,
        500: Outcome.RETRYABLE,
        502: Outcome.RETRYABLE,
        503: Outcome.RETRYABLE,
    }


def test_the_log_line_of_a_refusal_leaves_out_the_helpdesks_answer():
    answer = '{"errors": [{"field": "description", "value": "order 10023 for anna@webshop.dk"}]}'

    result = classify_response(_response(422, answer), lambda reply: None)

    assert "anna@webshop.dk" in result.error  # kept for the inbox's failed-ticket list
    assert result.for_log == "HTTP 422"


def test_created_ticket_without_a_readable_reply_still_counts_as_delivered():
    result = classify_response(_response(201, "<html>ok</html>"), lambda reply: reply["id"])

    assert result.delivered
    assert result.remote_id is None


def test_server_error_keeps_its_retry_after():
    result = classify_response(_response(503, "down", {"Retry-After": "45"}), lambda reply: None)

    assert result.retryable
    assert result.retry_after == 45
    assert result.error == "HTTP 503: down"


def test_redirect_is_not_followed_and_is_a_configuration_error():
    with RecordingServer(Reply(302, "", {"Location": "/elsewhere"})) as server:
        result = call_helpdesk(
            requests.Session(),
            "POST",
            server.url + "/api/tickets",
            body={},
            headers={},
            timeout=5,
            remote_id=lambda reply: None,
        )

    assert result.misconfigured
    assert len(server.requests) == 1


def test_malformed_address_is_a_configuration_error():
    result = call_helpdesk(
        requests.Session(), "POST", "not a url", body={}, headers={}, timeout=5,
        remote_id=lambda reply: None,
    )

    assert result.misconfigured
    assert result.error.startswith(("InvalidURL", "MissingSchema"))


def test_ticket_text_holds_everything_support_needs():
    text = render_text(example_ticket())

    assert text.startswith("Orders 10023 and 10024 from Shopify never arrived in e-conomic.")
    for expected in (
        "Reference: IEX-20261127-4T34",
        "Customer: Mette Hansen <kunde@webshop.dk>",
        "Systems: Shopify, e-conomic",
        "Order numbers: 10023, 10024",
        "Product numbers: -",
        "Log checked: yes (status: VAT code missing)",
        "Articles shown: https://help.iex.dk/orders-not-transferred-to-e-conomic",
        "Urgent handling requested: no",
        "[2026-11-27T10:00:30Z] customer: No",
    ):
        assert expected in text


def test_tags_name_the_category_systems_urgency_and_language():
    ticket = example_ticket(urgent_requested=True, systems=["Shopify", "Dinero (new)", "!!"],
                            language="da")

    assert tags(ticket) == [
        "iex_assistant",
        "category_order_transfer",
        "system_shopify",
        "system_dinero_new",
        "urgent_requested",
        "language_da",
    ]


def test_a_ticket_from_before_languages_is_tagged_english():
    ticket = example_ticket()
    ticket.pop("language", None)

    assert tags(ticket)[-1] == "language_en"
