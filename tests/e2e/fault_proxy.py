"""A fault-injecting HTTP proxy in front of a helpdesk, for the delivery fault runs.

Each request is passed on, or meets one fault: first one of each kind (so every run has them
all), then faults drawn from a seeded random plan: a 500, a 429 with Retry-After, a hang past
the client's timeout, or (for requests that create a ticket) the helpdesk's reply dropped after
it created the ticket. ``take_down`` closes the port for a while,
so connections are refused. ``after_create`` callbacks run after the helpdesk created a ticket and
before the reply goes back: the test kills the outbox worker there, the worst moment for it.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import requests

#: Headers not passed on as they are: hop-by-hop ones and those the forwarding call sets itself.
_NOT_FORWARDED = {"host", "content-length", "connection", "keep-alive", "transfer-encoding",
                  "accept-encoding"}

SERVER_ERROR = "server_error"
THROTTLED = "throttled"
HANG = "hang"
REPLY_DROPPED = "reply_dropped"
DOWN = "down"
FAULTS = (SERVER_ERROR, THROTTLED, HANG, REPLY_DROPPED, DOWN)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FaultInjectingProxy:
    """Forwards to ``upstream`` on its own localhost port, injecting faults as planned."""

    def __init__(
        self,
        upstream: str,
        create_paths: Iterable[str],
        *,
        seed: str,
        hang_seconds: float,
        retry_after: int = 1,
        rates: dict[str, float] | None = None,
    ):
        self.upstream = upstream.rstrip("/")
        self.create_paths = set(create_paths)
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self.rates = rates or {SERVER_ERROR: 0.10, THROTTLED: 0.06, HANG: 0.04, REPLY_DROPPED: 0.15}
        #: How often each fault was injected, and how many requests were passed on ("passed").
        self.counts: Counter[str] = Counter()
        #: Run once each, in order, after a ticket was created and before the reply is sent.
        self.after_create: list[Callable[[], None]] = []
        self.creates = 0
        self._rng = random.Random(seed)
        self._opening = [SERVER_ERROR, THROTTLED, HANG, REPLY_DROPPED]
        self._lock = threading.Lock()
        self._server = self._listen(0)
        self.port = self._server.server_address[1]
        self._down_until = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultInjectingProxy:
        return self

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def take_down(self, seconds: float) -> None:
        """Close the port for ``seconds`` (connections are refused), then listen again."""
        with self._lock:
            server, self._server = self._server, None
            self.counts[DOWN] += 1
        if server is None:
            return
        server.shutdown()
        server.server_close()

        def come_back() -> None:
            time.sleep(seconds)
            with self._lock:
                self._server = self._listen(self.port)

        threading.Thread(target=come_back, daemon=True).start()

    def _listen(self, port: int) -> _Server:
        server = _Server(("127.0.0.1", port), self._handler())
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return server

    def _plan(self, creating: bool) -> str | None:
        with self._lock:
            for fault in self._opening:
                if creating or fault != REPLY_DROPPED:
                    self._opening.remove(fault)
                    return fault
            roll = self._rng.random()
        for fault in (SERVER_ERROR, THROTTLED, HANG, REPLY_DROPPED):
            rate = self.rates.get(fault, 0.0)
            if fault == REPLY_DROPPED and not creating:
                continue
            if roll < rate:
                return fault
            roll -= rate
        return None

    def _forward(self, method: str, path: str, headers: dict, body: bytes) -> requests.Response:
        kept = {name: value for name, value in headers.items()
                if name.lower() not in _NOT_FORWARDED}
        return requests.request(method, self.upstream + path, data=body or None, headers=kept,
                                timeout=30, allow_redirects=False)

    def _created(self) -> None:
        with self._lock:
            self.creates += 1
            callback = self.after_create.pop(0) if self.after_create else None
        if callback is not None:
            callback()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                creating = (self.command == "POST"
                            and urlsplit(self.path).path in proxy.create_paths)
                fault = proxy._plan(creating)
                with proxy._lock:
                    proxy.counts[fault or "passed"] += 1
                if fault == SERVER_ERROR:
                    return self._reply(500, b'{"error": "injected server error"}')
                if fault == THROTTLED:
                    return self._reply(429, b'{"error": "injected rate limit"}',
                                       {"Retry-After": str(proxy.retry_after)})
                if fault == HANG:
                    time.sleep(proxy.hang_seconds)
                    return None  # no answer at all; the client has given up by now
                upstream = proxy._forward(self.command, self.path, dict(self.headers), body)
                if creating and 200 <= upstream.status_code < 300:
                    proxy._created()
                if fault == REPLY_DROPPED:
                    return None  # created upstream; the connection closes without an answer
                headers = {"Content-Type": upstream.headers.get("Content-Type",
                                                                "application/json")}
                if "Retry-After" in upstream.headers:
                    headers["Retry-After"] = upstream.headers["Retry-After"]
                return self._reply(upstream.status_code, upstream.content, headers)

            def _reply(self, status: int, payload: bytes, headers: dict | None = None) -> None:
                try:
                    self.send_response(status)
                    for name, value in {"Content-Length": str(len(payload)),
                                        **(headers or {"Content-Type": "application/json"})
                                        }.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client is gone (timed out, or killed)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
