"""The action server's guard: only Rasa, which sends the shared secret, may run actions.

Every request but the readiness check (``/health``) must carry ``IEX_ACTION_SECRET`` in the
header below; ``endpoints.yml`` makes Rasa send it. Failures are answered without echoing the
request (rasa-sdk's own answer repeats the whole tracker, which Rasa then writes to its log).
"""
from __future__ import annotations

import hmac
import logging

import pluggy
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.deployment import refuse_unsafe_production

#: The header Rasa sends the secret in (``action_endpoint.headers`` in endpoints.yml).
SECRET_HEADER = "X-IEX-Action-Secret"
#: Paths anyone may call: the supervisor's readiness check.
OPEN_PATHS = frozenset({"/health"})

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)


def carries_secret(request: Request, secret: str) -> bool:
    """Whether the request carries the shared secret (compared in constant time)."""
    given = request.headers.get(SECRET_HEADER, "")
    # An empty secret would match a missing header: then nothing gets in.
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    """Refuse calls without the secret, and answer failures without repeating the request."""
    secret = refuse_unsafe_production("action server").action_secret

    @app.middleware("request")
    async def refuse_calls_without_the_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or carries_secret(request, secret):
            return None
        return response.json({"error": f"missing or wrong {SECRET_HEADER}"}, status=401)

    @app.exception(Exception)
    async def answer_failure_without_the_request(request: Request, exception: Exception):
        if isinstance(exception, SanicException):
            return response.json({"error": str(exception)}, status=exception.status_code)
        logger.error("%s %s failed", request.method, request.path, exc_info=exception)
        return response.json({"error": type(exception).__name__}, status=500)
