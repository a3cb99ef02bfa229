"""Assembly of the bot web app: one blueprint per surface, nothing else."""
from __future__ import annotations

import argparse
from itertools import count

from sanic import Request, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.response import HTTPResponse

from bot import chat, feedback, help_pages, inbox, ticket_api
from bot.config import Settings, load_settings
from bot.deployment import refuse_unsafe_production
from bot.request_values import refuse_null_characters
from bot.security_headers import add_security_headers

_app_numbers = count(1)


def create_app(settings: Settings | None = None) -> Sanic:
    """Build the web app with all its surfaces registered."""
    settings = settings or load_settings()
    # Sanic keeps a registry of app names; tests build several apps in one process.
    app = Sanic(f"iex_bot_{next(_app_numbers)}")
    app.ctx.settings = settings
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.PROXIES_COUNT = settings.web_proxies_count
    app.config.REQUEST_MAX_SIZE = settings.max_web_request_bytes  # Sanic's default: 100 MB

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, error: PayloadTooLarge) -> HTTPResponse:
        limit = settings.max_web_request_bytes
        message = f"The request body is larger than the {limit} bytes accepted."
        if not str(error).startswith("Request body"):  # Sanic's limit on the request's headers
            message = str(error)
        return response.json({"error": "too_large", "message": message}, status=413)

    for surface in (chat, help_pages, feedback, ticket_api, inbox):
        app.blueprint(surface.create_blueprint(settings))
    app.on_request(refuse_null_characters)
    add_security_headers(app, settings)
    return app


def main() -> None:
    """Serve the web app on the configured host and port (``--workers N``: N processes)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (the scaled mode runs several)")
    workers = parser.parse_args().workers
    settings = refuse_unsafe_production("web app")
    create_app(settings).run(host=settings.host, port=settings.port, access_log=False,
                             workers=workers)


if __name__ == "__main__":
    main()
