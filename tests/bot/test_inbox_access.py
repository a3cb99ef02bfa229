"""Who gets into the support inbox: staff accounts, login, sessions, CSRF and the rate limit."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bot import staff as staff_cli
from bot.config import PROJECT_ROOT
from bot.inbox import auth
from bot.inbox.staff import StaffError, StaffStore
from bot.inbox.views import SESSION_COOKIE
from bot.ticket_store import TicketStore
from tests.bot.inbox_support import (
    PASSWORD,
    USERNAME,
    StaffClient,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    numbered_ticket,
    save_conversations,
    store_tickets,
)
from tests.bot.inbox_support import Conversation as TrackedConversation

REFERENCE = "IEX-20261127-0001"

#: Every route of the inbox that shows or changes something, with a path (and form) to try.
PROTECTED_GETS = {
    "inbox": "/inbox",
    "inbox/tickets": "/inbox/tickets?q=10023&status=new",
    "inbox/tickets/<reference:str>": f"/inbox/tickets/{REFERENCE}",
    "inbox/tickets/<reference:str>/ticket.json": f"/inbox/tickets/{REFERENCE}/ticket.json",
    "inbox/conversations": "/inbox/conversations",
    "inbox/conversations/<conversation_id:int>": "/inbox/conversations/1",
    "inbox/analytics": "/inbox/analytics",
    "inbox/analytics/chart.svg": "/inbox/analytics/chart.svg",
    "inbox/export/tickets.csv": "/inbox/export/tickets.csv",
    "inbox/export/tickets.json": "/inbox/export/tickets.json",
    "inbox/export/not-understood.yml": "/inbox/export/not-understood.yml",
    "inbox/deliveries": "/inbox/deliveries",
}
PROTECTED_POSTS = {
    "inbox/tickets/<reference:str>/status": (f"/inbox/tickets/{REFERENCE}/status",
                                             {"status": "closed"}),
    "inbox/tickets/<reference:str>/notes": (f"/inbox/tickets/{REFERENCE}/notes",
                                            {"text": "a note"}),
    "inbox/logout": ("/inbox/logout", {}),
    "inbox/deliveries/retry": ("/inbox/deliveries/retry", {}),
    "inbox/deliveries/<reference:str>/retry": (f"/inbox/deliveries/{REFERENCE}/retry", {}),
}
#: The only routes open to anybody: the login form and the stylesheet.
PUBLIC = {("inbox/login", "GET"), ("inbox/login", "POST"), ("inbox/inbox.css", "GET")}
#: Text of the seeded ticket and conversation that must never leak to a visitor.
SECRETS = ("kunde@webshop.dk", "10023", "Mette", "never arrived", "blorf")


@pytest.fixture
def settings(tmp_path):
    settings = inbox_settings(tmp_path)
    create_staff(settings)
    store_tickets(settings, numbered_ticket(1, "2026-11-20T10:00:00Z"))
    save_conversations(settings.tracker_db, {
        "web-1": TrackedConversation("2026-11-20T09:00:00Z").customer("blorf", "nlu_fallback"),
    })
    return settings


@pytest.fixture
def app(settings):
    return inbox_app(settings)


def assert_sent_to_login(response) -> None:
    assert response.status == 303, response.text
    assert response.headers["location"].startswith("/inbox/login")
    for secret in SECRETS:
        assert secret not in response.text


# --- passwords, signatures and tokens (plain functions) ----------------------------------------


def test_passwords_are_stored_as_argon2id_hashes():
    password_hash = auth.hash_password(PASSWORD)

    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash
    assert auth.verify_password(password_hash, PASSWORD)
    assert not auth.verify_password(password_hash, PASSWORD.upper())
    assert not auth.verify_password(None, PASSWORD)
    assert not auth.verify_password("not a hash", PASSWORD)


def test_same_password_hashes_differently_each_time():
    assert auth.hash_password(PASSWORD) != auth.hash_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "refused"),
    [("short", True), (" leading space pass", True), ("twelve chars", False)],
)
def test_new_passwords_need_twelve_characters_without_edge_spaces(password, refused):
    assert (auth.password_problem(password) is not None) is refused


def test_signed_value_comes_back_only_with_its_key_and_unchanged():
    signed = auth.sign("session-token", b"key one")

    assert auth.unsign(signed, b"key one") == "session-token"
    assert auth.unsign(signed, b"key two") is None
    assert auth.unsign(signed.replace("session", "sessiom"), b"key one") is None
    assert auth.unsign("session-token", b"key one") is None
    assert auth.unsign(None, b"key one") is None


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    settings = inbox_settings(tmp_path, inbox_secret_key="")

    first = auth.secret_key(settings)
    second = auth.secret_key(settings)

    assert first == second and len(first) == 64
    assert (tmp_path / auth.SECRET_KEY_FILE).stat().st_mode & 0o077 == 0
    assert auth.secret_key(inbox_settings(tmp_path, inbox_secret_key="configured")) == b"configured"


def test_tokens_compare_only_when_present_and_equal():
    assert auth.same_token("abc", "abc")
    assert not auth.same_token("abc", "abd")
    assert not auth.same_token("", "")
    assert not auth.same_token(None, "abc")


def test_logins_are_allowed_until_either_count_reaches_the_limit():
    assert auth.login_allowed(4, 4, limit=5)
    assert not auth.login_allowed(5, 0, limit=5)
    assert not auth.login_allowed(0, 5, limit=5)


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/inbox/tickets?status=new", "/inbox/tickets?status=new"),
        ("/inbox/conversations/12", "/inbox/conversations/12"),
        ("https://evil.example/inbox", "/inbox/tickets"),
        ("//evil.example/inbox", "/inbox/tickets"),
        ("/inbox\\@evil.example", "/inbox/tickets"),
        ("/inbox/tickets\r\nSet-Cookie: x=1", "/inbox/tickets"),
        ("/help", "/inbox/tickets"),
        (None, "/inbox/tickets"),
    ],
)
def test_after_login_only_inbox_pages_are_returned_to(asked, goes_to):
    assert auth.safe_next_path(asked) == goes_to


# --- the staff store ---------------------------------------------------------------------------


def test_accounts_are_created_listed_and_disabled(tmp_path):
    store = StaffStore(tmp_path / "staff.db")
    store.create(" Mette@IEX.dk ", PASSWORD)
    store.create("lars@iex.dk", PASSWORD)

    assert store.disable("mette@iex.dk")
    assert not store.disable("mette@iex.dk")
    accounts = {account.username: account for account in store.accounts()}
    assert list(accounts) == ["lars@iex.dk", "mette@iex.dk"]
    assert accounts["lars@iex.dk"].active and not accounts["mette@iex.dk"].active


@pytest.mark.parametrize(
    ("username", "password"),
    [("mette@iex.dk", "short"), ("<script>", PASSWORD), ("", PASSWORD), ("a" * 101, PASSWORD)],
)
def test_bad_names_and_weak_passwords_are_refused(tmp_path, username, password):
    with pytest.raises(StaffError):
        StaffStore(tmp_path / "staff.db").create(username, password)


def test_an_account_exists_only_once(tmp_path):
    store = StaffStore(tmp_path / "staff.db")
    store.create("mette@iex.dk", PASSWORD)

    with pytest.raises(StaffError, match="already"):
        store.create("METTE@iex.dk", PASSWORD)


def test_only_active_accounts_with_the_right_password_authenticate(tmp_path):
    store = StaffStore(tmp_path / "staff.db")
    store.create("mette@iex.dk", PASSWORD)

    assert store.authenticate("METTE@iex.dk", PASSWORD)
    assert not store.authenticate("mette@iex.dk", "wrong password!!")
    assert not store.authenticate("nobody@iex.dk", PASSWORD)
    store.disable("mette@iex.dk")
    assert not store.authenticate("mette@iex.dk", PASSWORD)


def test_sessions_end_on_logout_expiry_and_disabling(tmp_path):
    store = StaffStore(tmp_path / "staff.db")
    store.create("mette@iex.dk", PASSWORD)
    logged_out, _ = store.start_session("mette@iex.dk", 3600)
    expired, _ = store.start_session("mette@iex.dk", -1)
    disabled, session = store.start_session("mette@iex.dk", 3600)

    assert store.session(logged_out).username == "mette@iex.dk"
    store.end_session(logged_out)
    assert store.session(logged_out) is None
    assert store.session(expired) is None
    assert store.session(disabled) == session
    store.disable("mette@iex.dk")
    assert store.session(disabled) is None
    assert store.session("made-up-token") is None


def test_session_tokens_are_not_stored_in_the_clear(tmp_path):
    store = StaffStore(tmp_path / "staff.db")
    store.create("mette@iex.dk", PASSWORD)
    token, _ = store.start_session("mette@iex.dk", 3600)

    assert token.encode() not in (tmp_path / "staff.db").read_bytes()


def test_failed_logins_are_counted_per_client_and_per_user_in_the_window(tmp_path):
    store = StaffStore(tmp_path / "staff.db")
    store.record_failure("mette@iex.dk", "10.0.0.1")
    store.record_failure("lars@iex.dk", "10.0.0.1")
    store.record_failure("METTE@iex.dk", "10.0.0.2")
    store.record_failure("mette@iex.dk", "10.0.0.1", moment=time.time() - 3600)

    assert store.recent_failures("mette@iex.dk", "10.0.0.1", window_seconds=900) == (2, 2)
    assert store.recent_failures("someone@iex.dk", "10.0.0.3", window_seconds=900) == (0, 0)


# --- the command line --------------------------------------------------------------------------


def test_cli_creates_lists_and_disables_accounts(tmp_path, monkeypatch, capsys):
    settings = inbox_settings(tmp_path)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))

    assert staff_cli.main(["create", "mette@iex.dk", "--password-stdin"], settings) == 0
    assert staff_cli.main(["list"], settings) == 0
    listing = capsys.readouterr().out
    assert staff_cli.main(["disable", "mette@iex.dk"], settings) == 0
    assert staff_cli.main(["disable", "mette@iex.dk"], settings) == 1
    staff_cli.main(["list"], settings)

    assert "mette@iex.dk" in listing and "active" in listing
    assert "disabled" in capsys.readouterr().out
    assert StaffStore(settings.staff_db).authenticate("mette@iex.dk", PASSWORD) is False


def test_cli_asks_for_the_password_twice(tmp_path, monkeypatch, capsys):
    settings = inbox_settings(tmp_path)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    assert staff_cli.main(["create", "mette@iex.dk"], settings) == 1
    assert "differ" in capsys.readouterr().err
    assert StaffStore(settings.staff_db).accounts() == []


def test_cli_refuses_a_weak_password(tmp_path, monkeypatch, capsys):
    settings = inbox_settings(tmp_path)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("short\n"))

    assert staff_cli.main(["create", "mette@iex.dk", "--password-stdin"], settings) == 1
    assert "12 characters" in capsys.readouterr().err


def test_cli_runs_as_a_module_on_the_state_folder_of_the_environment(tmp_path):
    environment = {**os.environ, "IEX_STATE_DIR": str(tmp_path)}

    created = subprocess.run(
        [sys.executable, "-m", "bot.staff", "create", "mette@iex.dk", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT,
        env=environment, timeout=60,
    )

    assert created.returncode == 0, created.stderr
    assert StaffStore(tmp_path / "staff.db").authenticate("mette@iex.dk", PASSWORD)


# --- nothing without login ---------------------------------------------------------------------


def test_every_inbox_route_is_either_public_or_tested_below(app):
    routes = {
        (route.path, method) for route in app.router.routes for method in route.methods
        if route.path.startswith("inbox")
    }

    assert routes == PUBLIC | {(path, "GET") for path in PROTECTED_GETS} | {
        (path, "POST") for path in PROTECTED_POSTS
    }


@pytest.mark.parametrize("path", PROTECTED_GETS.values())
def test_every_page_and_export_needs_a_login(app, path):
    assert_sent_to_login(StaffClient(app).get(path))


@pytest.mark.parametrize(("path", "form"), PROTECTED_POSTS.values())
def test_every_form_needs_a_login_and_changes_nothing_without_one(app, settings, path, form):
    assert_sent_to_login(StaffClient(app).post(path, form))

    store = TicketStore(settings.ticket_db)
    assert store.get(REFERENCE)["status"] == "new"
    assert store.notes(REFERENCE) == []


@pytest.mark.parametrize("path", PROTECTED_GETS.values())
def test_a_forged_or_tampered_session_cookie_opens_nothing(app, path):
    client = logged_in(app)
    genuine = client.cookies[SESSION_COOKIE]
    token, _, signature = genuine.rpartition(".")

    for forged in (token, f"{token}.{signature[::-1]}", f"x{genuine}", "a.b"):
        client.cookies[SESSION_COOKIE] = forged
        assert_sent_to_login(client.get(path))


def test_the_login_page_asks_to_log_in_and_remembers_where_to_go(app):
    client = StaffClient(app)
    sent = client.get("/inbox/tickets?status=new")

    form = client.get(sent.headers["location"])
    after = client.log_in(next_path="/inbox/tickets?status=new")

    assert form.status == 200 and 'name="password"' in form.text
    assert after.status == 303 and after.headers["location"] == "/inbox/tickets?status=new"
    assert client.get("/inbox/tickets?status=new").status == 200


def test_the_login_page_of_someone_logged_in_leads_on(app):
    client = logged_in(app)

    assert client.get("/inbox/login").headers["location"] == "/inbox/tickets"


# --- logging in ---------------------------------------------------------------------------------


def test_login_sets_a_signed_httponly_samesite_cookie_for_the_inbox_only(app):
    reply = StaffClient(app).log_in()

    cookie = next(
        header for header in reply.headers.get_list("set-cookie")
        if header.startswith(f"{SESSION_COOKIE}=")
    )
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/inbox" in attributes
    assert "secure" not in attributes
    value = cookie.split(";")[0].split("=", 1)[1]
    assert auth.unsign(value, b"test-secret-key")


def test_cookies_are_marked_secure_when_served_over_https(tmp_path):
    settings = inbox_settings(tmp_path, inbox_secure_cookies=True)
    create_staff(settings)

    reply = StaffClient(inbox_app(settings)).log_in()

    assert all("Secure" in header for header in reply.headers.get_list("set-cookie"))


@pytest.mark.parametrize(
    ("username", "password"),
    [(USERNAME, "wrong password!!"), ("nobody@iex.dk", PASSWORD), ("", "")],
)
def test_a_wrong_login_says_so_and_sets_no_session(app, username, password):
    client = StaffClient(app)

    reply = client.log_in(username, password)

    assert reply.status == 401
    assert "Wrong user name or password." in reply.text
    assert SESSION_COOKIE not in client.cookies


def test_a_disabled_account_cannot_log_in_and_its_session_ends(app, settings):
    client = logged_in(app)
    StaffStore(settings.staff_db).disable(USERNAME)

    assert_sent_to_login(client.get("/inbox/tickets"))
    assert StaffClient(app).log_in().status == 401


def test_login_form_must_come_from_the_inbox(app):
    client = StaffClient(app)
    client.get("/inbox/login")

    forged = client.post(
        "/inbox/login", {"username": USERNAME, "password": PASSWORD, "login_token": "made-up"}
    )
    without_cookie = StaffClient(app).post(
        "/inbox/login", {"username": USERNAME, "password": PASSWORD, "login_token": "x"}
    )

    assert forged.status == without_cookie.status == 403
    assert SESSION_COOKIE not in client.cookies


def test_failed_logins_are_rate_limited_even_for_the_right_password(tmp_path):
    settings = inbox_settings(tmp_path, inbox_login_attempts=3)
    create_staff(settings)
    client = StaffClient(inbox_app(settings))

    failures = [client.log_in(USERNAME, "wrong password!!").status for _ in range(3)]
    blocked = client.log_in(USERNAME, PASSWORD)

    assert failures == [401, 401, 401]
    assert blocked.status == 429
    assert blocked.headers["retry-after"] == str(settings.inbox_login_window_seconds)
    assert "Too many failed logins" in blocked.text
    assert SESSION_COOKIE not in client.cookies


def test_the_rate_limit_lifts_when_the_window_has_passed(tmp_path):
    settings = inbox_settings(tmp_path, inbox_login_attempts=2, inbox_login_window_seconds=1)
    create_staff(settings)
    client = StaffClient(inbox_app(settings))
    for _ in range(2):
        client.log_in(USERNAME, "wrong password!!")
    assert client.log_in().status == 429

    time.sleep(1.2)

    assert client.log_in().status == 303


# --- logging out and CSRF ----------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(app):
    client = logged_in(app)
    stolen = client.cookies[SESSION_COOKIE]

    reply = client.post("/inbox/logout", {"csrf_token": client.csrf_token()})

    assert reply.status == 303 and reply.headers["location"] == "/inbox/login"
    assert SESSION_COOKIE not in client.cookies
    client.cookies[SESSION_COOKIE] = stolen
    assert_sent_to_login(client.get("/inbox/tickets"))


@pytest.mark.parametrize(("path", "form"), PROTECTED_POSTS.values())
@pytest.mark.parametrize("token", [None, "", "made-up-token"])
def test_every_form_needs_the_sessions_csrf_token(app, settings, path, form, token):
    client = logged_in(app)

    reply = client.post(path, form | ({"csrf_token": token} if token is not None else {}))

    assert reply.status == 403
    store = TicketStore(settings.ticket_db)
    assert store.get(REFERENCE)["status"] == "new" and store.notes(REFERENCE) == []
    assert client.get("/inbox/tickets").status == 200  # logout did not happen either


def test_the_csrf_token_of_another_session_does_not_count(app, settings):
    mine, theirs = logged_in(app), logged_in(app)

    reply = mine.post(
        f"/inbox/tickets/{REFERENCE}/status",
        {"status": "closed", "csrf_token": theirs.csrf_token()},
    )

    assert reply.status == 403
    assert TicketStore(settings.ticket_db).get(REFERENCE)["status"] == "new"


def test_inbox_pages_forbid_scripts_framing_and_caching(app):
    client = logged_in(app)

    for reply in (StaffClient(app).get("/inbox/login"), client.get("/inbox/tickets")):
        policy = reply.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert "frame-ancestors 'none'" in policy
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["cache-control"] == "no-store"


def test_the_inbox_headers_stay_on_the_inbox(app):
    reply = StaffClient(app).get("/api/tickets")

    assert reply.status == 401
    assert "content-security-policy" not in reply.headers


def test_the_stylesheet_is_public(app):
    reply = StaffClient(app).get("/inbox/inbox.css")

    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/css")
