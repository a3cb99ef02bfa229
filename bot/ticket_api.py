"""The ticket API: the embedded helpdesk that receives tickets from the action server.

POST /api/tickets creates a ticket (idempotent on the Idempotency-Key), GET /api/tickets lists
them newest first and GET /api/tickets/<id> shows one. Every route needs the bearer token.
"""
from __future__ import annotations

import hmac

from sanic import Blueprint, Request, response
from sanic.exceptions import InvalidUsage

from bot.config import Settings
from bot.request_values import MalformedInput, is_storable_text, whole_number
from bot.ticket_store import STATUSES, TicketConflict, TicketStore
from tickets import ticket_problems

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: Offsets beyond this are cut to it (no store holds that many tickets).
MAX_OFFSET = 10**9


def _error(status: int, message: str, **details) -> response.HTTPResponse:
    return response.json({"error": message, **details}, status=status)


def _authorized(request: Request, token: str) -> bool:
    scheme, _, presented = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def _unauthorized() -> response.HTTPResponse:
    reply = _error(401, "a valid bearer token is required")
    reply.headers["WWW-Authenticate"] = 'Bearer realm="tickets"'
    return reply


def create_blueprint(settings: Settings) -> Blueprint:
    """Serve the ticket API on the store at settings.ticket_location (blueprint.ctx.store)."""
    blueprint = Blueprint("ticket_api")
    store = TicketStore(settings.ticket_location)
    blueprint.ctx.store = store

    @blueprint.exception(MalformedInput)
    async def malformed(request: Request, error: MalformedInput) -> response.HTTPResponse:
        return _error(400, str(error))

    @blueprint.post("/api/tickets")
    async def create_ticket(request: Request) -> response.HTTPResponse:
        if not _authorized(request, settings.ticket_api_token):
            return _unauthorized()
        try:
            ticket = request.json
        except InvalidUsage:
            return _error(400, "the body is not valid JSON")
        problems = ticket_problems(ticket)
        if not problems and not is_storable_text(ticket):
            problems = ["text must be valid Unicode without NUL characters"]
        if problems:
            return _error(422, "the ticket does not match the schema", problems=problems)
        header_key = request.headers.get("idempotency-key")
        if header_key is not None and header_key != ticket["idempotency_key"]:
            return _error(
                422,
                "the ticket does not match the schema",
                problems=["Idempotency-Key header differs from idempotency_key in the body"],
            )
        try:
            stored, created = store.add(ticket)
        except TicketConflict:
            return _error(409, f"another ticket already has the reference {ticket['id']}")
        return response.json(
            stored,
            status=201 if created else 200,
            headers={"Location": f"/api/tickets/{stored['id']}"},
        )

    @blueprint.get("/api/tickets")
    async def list_tickets(request: Request) -> response.HTTPResponse:
        if not _authorized(request, settings.ticket_api_token):
            return _unauthorized()
        limit = whole_number(
            request.args.get("limit"), "limit", DEFAULT_PAGE_SIZE, 0, MAX_PAGE_SIZE
        )
        offset = whole_number(request.args.get("offset"), "offset", 0, 0, MAX_OFFSET)
        status = request.args.get("status")
        if status is not None and status not in STATUSES:
            return _error(400, f"status must be one of {', '.join(STATUSES)}")
        tickets = store.list(
            limit=limit,
            offset=offset,
            status=status,
            email=request.args.get("email"),
            category=request.args.get("category"),
        )
        return response.json({"tickets": tickets, "limit": limit, "offset": offset})

    @blueprint.get("/api/tickets/<ticket_id:str>")
    async def show_ticket(request: Request, ticket_id: str) -> response.HTTPResponse:
        if not _authorized(request, settings.ticket_api_token):
            return _unauthorized()
        ticket = store.get(ticket_id)
        if ticket is None:
            return _error(404, f"no ticket {ticket_id}")
        return response.json(ticket)

    return blueprint
