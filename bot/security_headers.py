"""The security headers of every web app response, one set per surface, added in one place.

Every response gets ``X-Content-Type-Options: nosniff``, a Referrer-Policy and a
Content-Security-Policy that fits what its surface loads; behind https (IEX_INBOX_SECURE_COOKIES)
also Strict-Transport-Security. A header a route set itself (the stylesheet's Cache-Control) wins.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from sanic import Request, Sanic
from sanic.response import HTTPResponse

from bot.config import Settings

#: The inbox loads its own stylesheet and chart, runs no script and is never framed.
INBOX_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)
#: JSON, scripts and stylesheets load nothing themselves.
NOTHING_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
#: The help pages: their own inline styles, the search form, links; no script.
HELP_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self';"
    " frame-ancestors 'self'; base-uri 'none'"
)
HSTS = "max-age=31536000"

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
#: The widget's files are loaded by pages on other sites.
_EMBEDDED = {
    "Content-Security-Policy": NOTHING_POLICY,
    "Cross-Origin-Resource-Policy": "cross-origin",
}
_INBOX = {
    "Content-Security-Policy": INBOX_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_API = {
    "Content-Security-Policy": NOTHING_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
#: The articles as JSON for the widget's article panel, which pages on other sites show.
_WIDGET_API = {
    "Content-Security-Policy": NOTHING_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "cross-origin",
}
_HELP = {"Content-Security-Policy": HELP_POLICY, "X-Frame-Options": "SAMEORIGIN"}


def rasa_sources(rasa_url: str) -> list[str]:
    """The origins the widget talks to: the Rasa server over http(s) and, for Socket.IO, ws(s)."""
    parts = urlsplit(rasa_url)
    if not parts.scheme or not parts.netloc:
        return []
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return [f"{parts.scheme}://{parts.netloc}", f"{socket_scheme}://{parts.netloc}"]


def demo_policy(settings: Settings) -> str:
    """The demo page at /: its inline styles, /widget.js, and the widget's calls to Rasa."""
    connect = " ".join(["'self'", *rasa_sources(settings.rasa_url)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
        f" img-src 'self' data:; connect-src {connect}; form-action 'self';"
        " frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
    )


def headers_for(path: str, settings: Settings) -> dict[str, str]:
    """Every security header a response to this path gets."""
    if path == "/inbox" or path.startswith("/inbox/"):
        surface = _INBOX
    elif path in ("/widget.js", "/widget.css") or path.startswith("/static/"):
        surface = _EMBEDDED
    elif path.startswith("/help/") and path.endswith("/content") and path.count("/") == 3:
        surface = _WIDGET_API
    elif path == "/help" or path.startswith("/help/"):
        surface = _HELP
    elif path == "/":
        surface = {
            "Content-Security-Policy": demo_policy(settings),
            "X-Frame-Options": "SAMEORIGIN",
        }
    else:  # the ticket API, the health check and any page that does not exist
        surface = _API
    headers = {**_COMMON, **surface}
    if settings.inbox_secure_cookies:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def add_security_headers(app: Sanic, settings: Settings) -> None:
    """Give every response of the app, errors included, the headers of its surface."""

    @app.on_response
    async def secure(request: Request, reply: HTTPResponse) -> None:
        for name, value in headers_for(request.path, settings).items():
            reply.headers.setdefault(name, value)
