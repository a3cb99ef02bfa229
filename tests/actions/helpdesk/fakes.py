"""Test doubles for helpdesk tests: a real local HTTP server that records requests and answers as
scripted, and the example ticket from tests/data."""
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
