"""Every response of the web app carries the security headers of its surface."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import create_app
from bot.config import Settings
from bot.security_headers import INBOX_POLICY, NOTHING_POLICY, headers_for
from tests.bot.inbox_support import AUTH, TOKEN

RASA_URL = "https://chat.iex.example:5005"

#: One path of every route family, with what it must answer, sent without any login.
FAMILIES = {
    "demo page": ("/", 200),
    "widget script": ("/widget.js", 200),
    "widget stylesheet": ("/widget.css", 200),
    "static file": ("/static/widget.css", 200),
    "help list": ("/help?q=vat", 200),
    "help article": ("/help/no-such-article", 404),
    "help article for the widget": ("/help/no-such-article/content", 404),
    "widget feedback (POST only)": ("/widget/feedback", 405),
    "ticket api": ("/api/tickets", 401),
    "health check": ("/healthz", 200),
    "inbox login": ("/inbox/login", 200),
    "inbox page": ("/inbox/tickets", 303),
    "inbox stylesheet": ("/inbox/inbox.css", 200),
    "no such page": ("/no/such/page", 404),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = Settings(
        state_dir=tmp_path_factory.mktemp("state"), rasa_url=RASA_URL, ticket_api_token=TOKEN
    )
    return create_app(settings)


def get(app, path: str, **options):
    _, reply = app.test_client.get(path, allow_redirects=False, **options)
    return reply


def test_every_route_of_the_app_is_in_a_tested_family(app):
    prefixes = {path.split("?")[0].strip("/").split("/")[0] for path, _ in FAMILIES.values()}

    for route in app.router.routes:
        assert route.path.split("/")[0] in prefixes, route.path


@pytest.mark.parametrize(("path", "status"), FAMILIES.values(), ids=FAMILIES.keys())
def test_every_response_has_nosniff_a_referrer_policy_and_a_content_security_policy(
    app, path, status
):
    reply = get(app, path)

    assert reply.status == status
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] in ("same-origin", "strict-origin-when-cross-origin")
    policy = reply.headers["content-security-policy"]
    assert "frame-ancestors" in policy and "base-uri 'none'" in policy
    assert "strict-transport-security" not in reply.headers


def test_the_demo_page_may_load_its_widget_and_talk_to_the_rasa_server(app):
    policy = get(app, "/").headers["content-security-policy"]

    assert "script-src 'self';" in policy
    assert f"connect-src 'self' {RASA_URL} wss://chat.iex.example:5005;" in policy
    assert "'unsafe-eval'" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


@pytest.mark.parametrize("path", ["/widget.js", "/widget.css"])
def test_other_sites_may_embed_the_widget_files(app, path):
    assert get(app, path).headers["cross-origin-resource-policy"] == "cross-origin"


@pytest.mark.parametrize("path", ["/inbox/login", "/inbox/tickets", "/inbox/no-such-page"])
def test_the_inbox_is_never_framed_cached_or_scripted(app, path):
    reply = get(app, path)

    assert reply.headers["content-security-policy"] == INBOX_POLICY
    assert "script-src" not in INBOX_POLICY and "frame-ancestors 'none'" in INBOX_POLICY
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["cross-origin-resource-policy"] == "same-origin"


def test_the_ticket_api_is_not_cached_or_framed_even_when_it_answers(app):
    reply = get(app, "/api/tickets", headers=AUTH)

    assert reply.status == 200
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_widget_reads_articles_as_json_from_other_sites(app):
    reply = get(app, "/help/no-such-article/content")

    assert reply.headers["content-security-policy"] == NOTHING_POLICY
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["cross-origin-resource-policy"] == "cross-origin"


def test_help_pages_run_no_script():
    policy = headers_for("/help", Settings())["Content-Security-Policy"]

    assert "script-src" not in policy and policy.startswith("default-src 'none'")


def test_a_route_may_keep_its_own_cache_header(app):
    assert get(app, "/inbox/inbox.css").headers["cache-control"] == "public, max-age=300"


def test_strict_transport_security_only_behind_https(tmp_path):
    secure = create_app(replace(Settings(state_dir=tmp_path), inbox_secure_cookies=True))

    for path, _ in FAMILIES.values():
        assert get(secure, path).headers["strict-transport-security"] == "max-age=31536000"
