"""The ticket API of the web app (the embedded helpdesk), through Sanic's test client."""
from __future__ import annotations

from dataclasses import replace
from itertools import count

import pytest
from sanic import Sanic

from bot import ticket_api
from bot.config import Settings
from bot.ticket_store import TicketStore
from tests.actions.helpdesk.fakes import example_ticket

TOKEN = "test-ticket-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
_app_numbers = count(1)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return replace(
        Settings(), state_dir=tmp_path, ticket_api_token=TOKEN, database_url=database_url
    )


@pytest.fixture
def app(settings) -> Sanic:
    app = Sanic(f"t_tickets_{next(_app_numbers)}")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.blueprint(ticket_api.create_blueprint(settings))
    return app


def post(app: Sanic, ticket, headers: dict | None = None):
    key = {"Idempotency-Key": ticket["idempotency_key"]} if isinstance(ticket, dict) else {}
    _, response = app.test_client.post(
        "/api/tickets", json=ticket, headers=AUTH | key | (headers or {})
    )
    return response


def later_ticket(number: int, created_at: str) -> dict:
    return example_ticket(
        id=f"IEX-20261127-{number:04d}",
        idempotency_key=f"iex-test-ticket-{number:04d}",
        created_at=created_at,
    )


# --- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
    ],
)
def test_every_route_needs_the_bearer_token(app, headers):
    _, created = app.test_client.post("/api/tickets", json=example_ticket(), headers=headers)
    _, listed = app.test_client.get("/api/tickets", headers=headers)
    _, shown = app.test_client.get("/api/tickets/IEX-20261127-4T34", headers=headers)

    assert created.status == listed.status == shown.status == 401
    assert created.headers["www-authenticate"].startswith("Bearer")
    assert created.json == {"error": "a valid bearer token is required"}


def test_nothing_is_stored_without_the_token(app, settings):
    app.test_client.post("/api/tickets", json=example_ticket())

    assert TicketStore(settings.ticket_location).count() == 0


def test_token_is_case_sensitive_but_the_scheme_is_not(app):
    assert post(app, example_ticket(), {"Authorization": f"bearer {TOKEN}"}).status == 201
    assert post(app, example_ticket(), {"Authorization": f"Bearer {TOKEN.upper()}"}).status == 401


# --- creating ----------------------------------------------------------------------------------


def test_new_ticket_is_created_and_returned(app):
    ticket = example_ticket()

    response = post(app, ticket)

    assert response.status == 201
    assert response.json == ticket
    assert response.headers["location"] == f"/api/tickets/{ticket['id']}"


def test_repeated_ticket_returns_the_stored_one(app, settings):
    ticket = example_ticket()
    first = post(app, ticket)

    repeat = post(app, example_ticket(description="sent again by a retry"))

    assert (first.status, repeat.status) == (201, 200)
    assert repeat.json == ticket
    assert TicketStore(settings.ticket_location).count() == 1


def test_idempotency_key_in_the_body_is_enough(app):
    ticket = example_ticket()
    _, first = app.test_client.post("/api/tickets", json=ticket, headers=AUTH)
    _, repeat = app.test_client.post("/api/tickets", json=ticket, headers=AUTH)

    assert (first.status, repeat.status) == (201, 200)


def test_header_and_body_must_name_the_same_hand_off(app):
    response = post(app, example_ticket(), {"Idempotency-Key": "iex-some-other-key"})

    assert response.status == 422
    assert "Idempotency-Key" in response.json["problems"][0]


def test_invalid_ticket_is_refused_with_its_problems(app, settings):
    ticket = example_ticket(status="open", customer={"email": "nope"}, extra=True)

    response = post(app, ticket)

    assert response.status == 422
    assert response.json["error"] == "the ticket does not match the schema"
    problems = response.json["problems"]
    assert any(problem.startswith("customer.email:") for problem in problems)
    assert any(problem.startswith("status:") for problem in problems)
    assert any("'extra' was unexpected" in problem for problem in problems)
    assert TicketStore(settings.ticket_location).count() == 0


@pytest.mark.parametrize("body", [None, [], "ticket", 42])
def test_anything_but_a_ticket_object_is_refused(app, body):
    _, response = app.test_client.post("/api/tickets", json=body, headers=AUTH)

    assert response.status == 422


def test_body_that_is_not_json_is_a_bad_request(app):
    _, response = app.test_client.post(
        "/api/tickets", content="{not json", headers=AUTH | {"Content-Type": "application/json"}
    )

    assert response.status == 400


def test_same_reference_for_another_hand_off_is_a_conflict(app):
    post(app, example_ticket())

    response = post(app, example_ticket(idempotency_key="iex-another-hand-off-1"))

    assert response.status == 409


# --- reading -----------------------------------------------------------------------------------


def test_list_is_newest_first(app):
    post(app, later_ticket(2, "2026-11-27T10:02:00Z"))
    post(app, later_ticket(3, "2026-11-27T10:03:00.5+00:00"))
    post(app, later_ticket(1, "2026-11-27T10:01:00Z"))

    _, response = app.test_client.get("/api/tickets", headers=AUTH)

    assert response.status == 200
    assert [ticket["id"] for ticket in response.json["tickets"]] == [
        "IEX-20261127-0003",
        "IEX-20261127-0002",
        "IEX-20261127-0001",
    ]


def test_list_pages_and_filters(app, settings):
    for number in range(1, 6):
        post(app, later_ticket(number, f"2026-11-27T10:0{number}:00Z"))
    TicketStore(settings.ticket_location).set_status("IEX-20261127-0002", "closed")

    _, page = app.test_client.get("/api/tickets?limit=2&offset=1", headers=AUTH)
    _, closed = app.test_client.get("/api/tickets?status=closed", headers=AUTH)
    _, by_email = app.test_client.get("/api/tickets?email=KUNDE@webshop.dk&limit=1", headers=AUTH)
    _, bad = app.test_client.get("/api/tickets?limit=many", headers=AUTH)
    _, unknown_status = app.test_client.get("/api/tickets?status=open", headers=AUTH)

    assert [t["id"] for t in page.json["tickets"]] == ["IEX-20261127-0004", "IEX-20261127-0003"]
    assert [(t["id"], t["status"]) for t in closed.json["tickets"]] == [
        ("IEX-20261127-0002", "closed")
    ]
    assert [t["id"] for t in by_email.json["tickets"]] == ["IEX-20261127-0005"]
    assert bad.status == unknown_status.status == 400


def test_empty_list(app):
    _, response = app.test_client.get("/api/tickets", headers=AUTH)

    assert response.json["tickets"] == []


def test_ticket_is_shown_by_its_reference(app):
    ticket = example_ticket()
    post(app, ticket)

    _, response = app.test_client.get(f"/api/tickets/{ticket['id']}", headers=AUTH)

    assert response.status == 200
    assert response.json == ticket


def test_unknown_reference_is_not_found(app):
    _, response = app.test_client.get("/api/tickets/IEX-20261127-NOPE", headers=AUTH)

    assert response.status == 404
    assert response.json == {"error": "no ticket IEX-20261127-NOPE"}


def test_tickets_survive_a_restart_of_the_web_app(settings, app):
    post(app, example_ticket())
    restarted = Sanic(f"t_tickets_{next(_app_numbers)}")
    restarted.blueprint(ticket_api.create_blueprint(settings))

    _, response = restarted.test_client.get("/api/tickets", headers=AUTH)

    assert [ticket["id"] for ticket in response.json["tickets"]] == ["IEX-20261127-4T34"]


# --- the store ---------------------------------------------------------------------------------


def test_store_keeps_searchable_columns(settings):
    store = TicketStore(settings.ticket_location)
    store.add(example_ticket())

    assert store.list(category="order_transfer")[0]["id"] == "IEX-20261127-4T34"
    assert store.list(category="payment") == []
    assert store.count(status="new") == 1


def test_status_changes_are_kept_in_the_ticket(settings):
    store = TicketStore(settings.ticket_location)
    store.add(example_ticket())

    updated = store.set_status("IEX-20261127-4T34", "in_progress")

    assert updated["status"] == "in_progress"
    assert store.get("IEX-20261127-4T34")["status"] == "in_progress"
    assert store.set_status("IEX-20261127-NOPE", "closed") is None
    with pytest.raises(ValueError):
        store.set_status("IEX-20261127-4T34", "open")
