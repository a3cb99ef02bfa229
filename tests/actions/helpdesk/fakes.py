"""Test doubles for helpdesk tests: a real local HTTP server that records requests and answers as
scripted, stateful stand-ins for Freshdesk and Intercom (create, and the lookup by reference), and
the example ticket from tests/data."""
from __future__ import annotations

import copy
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

EXAMPLE_TICKET = Path(__file__).resolve().parents[2] / "data" / "ticket_example.json"


def example_ticket(**changes: Any) -> dict:
    """A fresh copy of the valid example ticket, with top-level fields changed as given."""
    ticket = json.loads(EXAMPLE_TICKET.read_text(encoding="utf-8"))
    ticket.update(copy.deepcopy(changes))
    return ticket


def unused_port() -> int:
    """A localhost port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    """One scripted answer: status, JSON (or text) body, headers, and a delay before answering."""

    status: int = 201
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: A stateful fake (FakeFreshdesk, FakeIntercom) creates the ticket before this answer: the
    #: helpdesk has it, the client never learns (with a delay past its timeout, or a 5xx).
    create_first: bool = False


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header's value, looked up case-insensitively."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class RecordingServer:
    """A local HTTP server on a free port that records every request.

    Answers come from ``script`` (a list of Reply, used in order); once it is empty, ``default``
    answers. With ``idempotent=True`` it behaves like the web app's ticket API: the first request
    with an Idempotency-Key creates a ticket (201), repeats return it (200).
    """

    def __init__(self, default: Reply | None = None, idempotent: bool = False):
        self.script: list[Reply] = []
        self.default = default or Reply(201, {"id": "remote-1"})
        self.idempotent = idempotent
        self.requests: list[RecordedRequest] = []
        self.created: dict[str, Any] = {}
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` requests have arrived; False if they did not within the timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()
            return self.respond(request)

    def respond(self, request: RecordedRequest) -> Reply:
        """The answer to one request (called with the lock held); subclasses keep state here."""
        reply = self.script.pop(0) if self.script else self.default
        if not self.idempotent or not 200 <= reply.status < 300:
            return reply
        key = request.header("Idempotency-Key")
        if key in self.created:
            return Reply(200, self.created[key], reply.headers, reply.delay)
        self.created[key] = request.json
        return Reply(201, request.json, reply.headers, reply.delay)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorded = RecordedRequest(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                reply = server._answer(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                payload = body.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up waiting (timeout tests)

            do_POST = do_GET = do_PUT = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class StatefulHelpdesk(RecordingServer):
    """A helpdesk without idempotency keys that keeps what it created and finds it again.

    Scripted replies answer first (a ``create_first`` one after creating the ticket); then every
    create request makes a new ticket, however often the same one is sent.
    """

    create_path = ""

    def __init__(self):
        super().__init__()
        self.tickets: list[dict] = []

    def respond(self, request: RecordedRequest) -> Reply:
        creating = request.method == "POST" and urlsplit(request.path).path == self.create_path
        reply = self.script.pop(0) if self.script else None
        if reply is not None and not reply.create_first:
            return reply
        answer = self.create(request.json) if creating else self.lookup(request)
        if reply is not None:
            return reply
        return answer

    def create(self, body: dict) -> Reply:
        raise NotImplementedError

    def lookup(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    def references(self) -> list[str]:
        """The reference of every ticket created, in order (a repeat shows up twice)."""
        raise NotImplementedError


class FakeFreshdesk(StatefulHelpdesk):
    """Freshdesk v2: POST /api/v2/tickets, and Filter Tickets by tag (GET /api/v2/search/tickets
    with ``query="tag:'...'"``, answered with {"results": [...], "total": n})."""

    create_path = "/api/v2/tickets"

    def create(self, body: dict) -> Reply:
        ticket = {"id": len(self.tickets) + 1, "subject": body["subject"], "tags": body["tags"],
                  "status": body["status"]}
        self.tickets.append(ticket)
        return Reply(201, ticket)

    def lookup(self, request: RecordedRequest) -> Reply:
        parts = urlsplit(request.path)
        if request.method != "GET" or parts.path != "/api/v2/search/tickets":
            return Reply(404, {"message": "not found"})
        query = parse_qs(parts.query).get("query", [""])[0]
        if not (query.startswith("\"tag:'") and query.endswith("'\"")):
            return Reply(400, {"description": "Validation failed", "errors": [{"field": "query"}]})
        tag = query[len("\"tag:'"):-len("'\"")]
        results = [ticket for ticket in self.tickets if tag in ticket["tags"]]
        return Reply(200, {"results": results, "total": len(results)})

    def references(self) -> list[str]:
        return [ticket["subject"][1:].split("]")[0] for ticket in self.tickets]


class FakeIntercom(StatefulHelpdesk):
    """Intercom: POST /tickets, and Search Tickets (POST /tickets/search with a title filter,
    answered with {"type": "ticket.list", "tickets": [...], "total_count": n})."""

    create_path = "/tickets"

    def create(self, body: dict) -> Reply:
        ticket = {"type": "ticket", "id": str(1000 + len(self.tickets)),
                  "ticket_attributes": dict(body["ticket_attributes"]),
                  "ticket_type_id": body["ticket_type_id"]}
        self.tickets.append(ticket)
        return Reply(200, ticket)

    def lookup(self, request: RecordedRequest) -> Reply:
        if request.method != "POST" or urlsplit(request.path).path != "/tickets/search":
            return Reply(404, {"type": "error.list", "errors": [{"code": "not_found"}]})
        query = request.json.get("query") or {}
        if query.get("field") != "title" or query.get("operator") != "~":
            return Reply(400, {"type": "error.list", "errors": [{"code": "parameter_invalid"}]})
        found = [ticket for ticket in self.tickets
                 if query["value"] in ticket["ticket_attributes"]["_default_title_"]]
        return Reply(200, {"type": "ticket.list", "tickets": found, "total_count": len(found)})

    def references(self) -> list[str]:
        return [ticket["ticket_attributes"]["_default_title_"][1:].split("]")[0]
                for ticket in self.tickets]
