"""Malformed input anywhere in the web app gets a clear 4xx answer, never a server error."""
from __future__ import annotations

import json
import logging
from dataclasses import replace
from urllib.parse import quote

import pytest
from sanic import Sanic
from sanic_testing.reusable import ReusableClient

from bot.app import create_app
from bot.inbox.auth import secret_key, sign
from bot.inbox.staff import StaffStore
from bot.inbox.views import SESSION_COOKIE
from bot.supervisor import free_port
from tests.bot.inbox_support import (
    AUTH,
    USERNAME,
    create_staff,
    inbox_settings,
    numbered_ticket,
    save_conversations,
    store_tickets,
)
from tests.bot.inbox_support import Conversation as TrackedConversation

#: Values a visitor may type anywhere: Unicode digits (``"²".isdigit()`` is True but ``int("²")``
#: fails), numbers beyond SQLite, days beyond Python's dates, broken percent-encodings, FTS5 and
#: SQL syntax, and very long text. They are sent raw (``%`` is not encoded again).
MALFORMED = [
    "²", "٣", "-1", "0", "1.5", "1e3", "9" * 30, "99999999999999999999999", "0001-01-01",
    "9999-12-31", "2026-02-30", "%ff", "%00", "' OR 1=1 --", 'NEAR("a" "b")', "*", "x" * 5000,
]
#: Every query parameter some route reads.
QUERY_NAMES = (
    "limit", "offset", "page", "from", "to", "status", "outcome", "q", "category", "system",
    "email", "saved", "next",
)
#: Every form field some route reads (the CSRF token is added, valid, so the handler runs).
FORM_NAMES = ("username", "password", "login_token", "next", "status", "text")
#: Bodies for the ticket API that are no ticket.
BODIES = ["[1]", "null", "{", '"x"', "[" * 100000, '{"id": 1e999}', "NaN", "\udcff"]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = inbox_settings(tmp_path_factory.mktemp("state"))
    create_staff(settings)
    store_tickets(settings, numbered_ticket(1, "2026-11-20T10:00:00Z"))
    save_conversations(settings.tracker_db, {
        "web-1": TrackedConversation("2026-11-20T09:00:00Z").customer("blorf", "nlu_fallback"),
    })
    return settings


@pytest.fixture(scope="module")
def app(settings) -> Sanic:
    app = create_app(settings)

    @app.get("/test/broken")
    async def broken(request):
        raise RuntimeError("a bug with a secret in its message")

    return app


@pytest.fixture(scope="module")
def client(app):
    logging.getLogger("sanic.error").setLevel(logging.CRITICAL)  # the expected tracebacks
    client = ReusableClient(app, port=free_port())
    with client:
        yield client


@pytest.fixture
def staff_headers(settings) -> dict[str, str]:
    """Headers of a fresh staff session, and its CSRF token under "csrf"."""
    token, session = StaffStore(settings.staff_db).start_session(USERNAME, 3600)
    return {"Cookie": f"{SESSION_COOKIE}={sign(token, secret_key(settings))}",
            "csrf": session.csrf_token}


def raw(value: str) -> str:
    return quote(value, safe="%")


def route_path(route, value: str) -> str:
    """The route's path with every parameter set to value."""
    parts = [raw(value) if part.startswith("<") else part for part in route.path.split("/")]
    return "/" + "/".join(parts)


def routes_to_walk(app: Sanic) -> list[tuple[str, object]]:
    """(method, route) of every route; logging out comes last, as it ends the session."""
    walk = [(method, route) for route in app.router.routes for method in route.methods
            if method in ("GET", "POST") and route.path != "test/broken"]
    return sorted(walk, key=lambda pair: pair[1].path == "inbox/logout")


@pytest.mark.parametrize("value", MALFORMED, ids=lambda value: value[:20])
def test_no_route_answers_malformed_input_with_a_server_error(app, client, staff_headers, value):
    csrf = staff_headers.pop("csrf")
    query = "&".join(f"{name}={raw(value)}" for name in QUERY_NAMES)
    answers = {}
    for method, route in routes_to_walk(app):
        path = f"{route_path(route, value)}?{query}"
        headers = {**staff_headers, **AUTH}
        if method == "GET":
            _, reply = client.get(path, headers=headers)
        elif route.path == "api/tickets":
            _, reply = client.post(path, content=value.encode(), headers=headers)
        else:
            form = {name: value for name in FORM_NAMES} | {"csrf_token": csrf}
            _, reply = client.post(path, data=form, headers=headers)
        answers[f"{method} {route.path}"] = reply.status

    assert len(answers) >= 20
    assert {route: status for route, status in answers.items() if status >= 500} == {}


@pytest.mark.parametrize("body", BODIES, ids=lambda body: body[:10])
def test_a_body_that_is_no_ticket_is_refused_by_the_ticket_api(client, body):
    _, reply = client.post(
        "/api/tickets", content=body.encode("utf-8", "surrogateescape"),
        headers=AUTH | {"Content-Type": "application/json"},
    )

    assert reply.status in (400, 422)
    assert reply.json["error"]


@pytest.mark.parametrize("query", ["limit=²", "offset=²", "limit=-1", "offset=1.5"])
def test_a_limit_or_offset_that_is_no_whole_number_is_a_bad_request(client, query):
    _, reply = client.get(f"/api/tickets?{query}", headers=AUTH)

    assert reply.status == 400
    assert reply.json == {"error": f"{query.split('=')[0]} must be a whole number from 0"}


def test_a_huge_limit_and_offset_are_cut_to_the_largest(client):
    _, reply = client.get(f"/api/tickets?limit={'9' * 30}&offset={'9' * 30}", headers=AUTH)

    assert reply.status == 200
    assert (reply.json["limit"], reply.json["offset"]) == (500, 10**9)


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/inbox/tickets?page=²", "page must be a whole number from 1"),
        ("/inbox/conversations?page=²", "page must be a whole number from 1"),
        ("/inbox/tickets?status=bogus", "status must be one of open, new, in_progress, closed"),
        ("/inbox/conversations?outcome=bogus", "outcome must be one of resolved"),
        ("/inbox/analytics?from=0001-01-01&to=9999-12-31",
         "to must be a day written YYYY-MM-DD between 1970-01-01 and 9999-12-30"),
        ("/inbox/analytics/chart.svg?from=2026-13-01", "from must be a day written YYYY-MM-DD"),
        ("/inbox/export/tickets.csv?to=9999-12-31", "to must be a day written YYYY-MM-DD"),
    ],
)
def test_the_inbox_says_which_value_it_cannot_read(client, staff_headers, path, says):
    staff_headers.pop("csrf")
    _, reply = client.get(path, headers=staff_headers)

    assert reply.status == 400
    assert says in reply.text
    assert reply.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("conversation_id", ["99999999999999999999999", str(2**63), "²", "0"])
def test_a_conversation_number_beyond_the_store_is_not_found(client, staff_headers,
                                                             conversation_id):
    staff_headers.pop("csrf")
    _, reply = client.get(f"/inbox/conversations/{conversation_id}", headers=staff_headers)

    assert reply.status == 404


def test_an_unexpected_error_is_a_plain_500_without_its_traceback(client):
    _, reply = client.get("/test/broken")

    assert reply.status == 500
    assert "secret" not in reply.text and "Traceback" not in reply.text
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_a_body_beyond_the_request_size_limit_is_refused_unread_and_says_so(settings):
    small = create_app(replace(settings, max_web_request_bytes=1000))

    _, reply = small.test_client.post("/api/tickets", content=b"x" * 2000, headers=AUTH)

    assert reply.status == 413
    assert reply.json["message"] == "The request body is larger than the 1000 bytes accepted."


def test_a_nul_character_in_a_form_or_a_ticket_is_refused_before_a_store_sees_it(
    client, staff_headers
):
    # PostgreSQL cannot keep a NUL character in text; SQLite would, so the refusal comes first.
    csrf = staff_headers.pop("csrf")
    ticket_id = numbered_ticket(1, "2026-11-20T10:00:00Z")["id"]
    _, note = client.post(f"/inbox/tickets/{ticket_id}/notes", headers=staff_headers,
                          data={"text": "called\x00 back", "csrf_token": csrf})
    with_nul = numbered_ticket(77, "2026-11-20T10:00:00Z", description="order\x00 10023")
    _, ticket = client.post("/api/tickets", content=json.dumps(with_nul),
                            headers=AUTH | {"Content-Type": "application/json"})

    assert note.status == 400 and "NUL" in note.text
    assert ticket.status == 422 and "NUL" in json.dumps(ticket.json)
