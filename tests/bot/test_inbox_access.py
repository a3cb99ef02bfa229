"""Who gets into the support inbox: staff accounts, login, sessions, CSRF and the login waits."""
from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest

from bot import staff as staff_cli
from bot.app import create_app
from bot.config import PROJECT_ROOT, Settings
from bot.inbox import auth
from bot.inbox.staff import StaffError, StaffStore
from bot.inbox.views import LOGIN_COOKIE, SESSION_COOKIE
from bot.supervisor import private_settings, wait_until_ready, web_app
from bot.ticket_store import TicketStore
from tests.bot.inbox_support import (
    _LOGIN_TOKEN,
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
    "inbox/mail": "/inbox/mail",
}
PROTECTED_POSTS = {
    "inbox/tickets/<reference:str>/status": (f"/inbox/tickets/{REFERENCE}/status",
                                             {"status": "closed"}),
    "inbox/tickets/<reference:str>/notes": (f"/inbox/tickets/{REFERENCE}/notes",
                                            {"text": "a note"}),
    "inbox/tickets/<reference:str>/assignee": (f"/inbox/tickets/{REFERENCE}/assignee",
                                               {"assignee": USERNAME}),
    "inbox/tickets/<reference:str>/duplicate": (f"/inbox/tickets/{REFERENCE}/duplicate",
                                                {"original": REFERENCE}),
    "inbox/logout": ("/inbox/logout", {}),
    "inbox/deliveries/retry": ("/inbox/deliveries/retry", {}),
    "inbox/deliveries/<reference:str>/retry": (f"/inbox/deliveries/{REFERENCE}/retry", {}),
    "inbox/tickets/<reference:str>/reply": (f"/inbox/tickets/{REFERENCE}/reply",
                                            {"text": "a reply"}),
    "inbox/mail/retry": ("/inbox/mail/retry", {}),
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


RULE = auth.LoginRule(allowance=5, longest_wait=300)


def test_logins_within_the_allowance_never_wait():
    assert auth.login_wait(4, last_failure=1000.0, rule=RULE, now=1000.0) == 0


def test_each_failure_past_the_allowance_doubles_the_wait_up_to_the_longest():
    waits = [auth.login_wait(failures, 1000.0, RULE, now=1000.0) for failures in range(5, 16)]

    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert auth.login_wait(7, last_failure=1000.0, rule=RULE, now=1003.0) == 1
    assert auth.login_wait(7, last_failure=1000.0, rule=RULE, now=1004.0) == 0
    assert auth.login_wait(10**6, last_failure=1000.0, rule=RULE, now=1000.0) == 300


def test_an_address_and_a_user_name_are_allowed_more_failures_but_a_user_waits_less(tmp_path):
    rules = auth.login_rules(inbox_settings(tmp_path))

    assert rules == auth.LoginRules(
        user_at_address=auth.LoginRule(5, 300),
        address=auth.LoginRule(20, 300),
        user=auth.LoginRule(20, auth.USER_LONGEST_WAIT_SECONDS),
    )


def test_a_login_form_is_fresh_only_with_its_own_cookie_and_within_its_lifetime():
    cookie = auth.login_form_cookie("form-token", b"key", now=1000.0)

    assert auth.login_form_expiry(cookie, "form-token", b"key", 3600, now=1001.0) == 4600
    assert auth.login_form_expiry(cookie, "form-token", b"key", 3600, now=4600.0) is None
    assert auth.login_form_expiry(cookie, "other-token", b"key", 3600, now=1001.0) is None
    assert auth.login_form_expiry(cookie, "form-token", b"other key", 3600, now=1001.0) is None
    assert auth.login_form_expiry(None, "form-token", b"key", 3600, now=1001.0) is None


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


def test_accounts_are_created_listed_and_disabled(store_location):
    store = StaffStore(store_location)
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


def test_an_account_exists_only_once(store_location):
    store = StaffStore(store_location)
    store.create("mette@iex.dk", PASSWORD)

    with pytest.raises(StaffError, match="already"):
        store.create("METTE@iex.dk", PASSWORD)


def test_only_active_accounts_with_the_right_password_authenticate(store_location):
    store = StaffStore(store_location)
    store.create("mette@iex.dk", PASSWORD)

    assert store.authenticate("METTE@iex.dk", PASSWORD)
    assert not store.authenticate("mette@iex.dk", "wrong password!!")
    assert not store.authenticate("nobody@iex.dk", PASSWORD)
    store.disable("mette@iex.dk")
    assert not store.authenticate("mette@iex.dk", PASSWORD)


def test_sessions_end_on_logout_expiry_and_disabling(store_location):
    store = StaffStore(store_location)
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


WINDOW = 900
NOW = 1_000_000.0


RULES = auth.login_rules(Settings())


def attempt(store, username="mette@iex.dk", client="10.0.0.1", moment=NOW):
    return store.count_attempt(username, client, RULES, WINDOW, moment=moment)


def test_attempts_are_counted_before_the_check_so_the_sixth_at_once_waits(store_location):
    store = StaffStore(store_location)

    first_five = [attempt(store) for _ in range(5)]

    assert first_five == [0] * 5
    assert attempt(store) == 1  # refused, and not counted
    assert attempt(store, moment=NOW + 1) == 0
    assert attempt(store, moment=NOW + 1) == 2
    assert attempt(store, moment=NOW + 2.5) == 0.5


def test_failures_from_one_address_do_not_make_the_user_wait_elsewhere(store_location):
    store = StaffStore(store_location)
    for _ in range(5):
        attempt(store, client="10.6.6.6")

    assert attempt(store, client="10.6.6.6") > 0
    assert attempt(store, client="10.0.0.1") == 0
    assert attempt(store, username="lars@iex.dk", client="10.6.6.6") == 0


def test_an_address_trying_many_user_names_waits_after_four_times_the_allowance(store_location):
    store = StaffStore(store_location)

    tries = [attempt(store, username=f"user{number}@iex.dk") for number in range(21)]

    assert tries[:20] == [0] * 20 and tries[20] == 1
    assert attempt(store, username="user0@iex.dk", client="10.0.0.2") == 0


def test_guessing_one_user_from_many_addresses_slows_the_user_but_never_long(store_location):
    store = StaffStore(store_location)
    for number in range(200):
        attempt(store, client=f"10.1.{number // 250}.{number % 250}", moment=NOW + number * 31)
    later = NOW + 199 * 31

    assert 0 < attempt(store, client="10.0.0.1", moment=later) <= auth.USER_LONGEST_WAIT_SECONDS
    assert attempt(store, client="10.0.0.1", moment=later + auth.USER_LONGEST_WAIT_SECONDS) == 0


def test_failures_older_than_the_window_are_forgotten(store_location):
    store = StaffStore(store_location)
    for _ in range(6):
        attempt(store, moment=NOW - WINDOW - 1)

    assert attempt(store) == 0


def test_a_successful_login_forgives_the_failures_of_that_user_there(store_location):
    store = StaffStore(store_location)
    for _ in range(5):
        attempt(store)
    attempt(store, username="lars@iex.dk")

    store.forgive_failures("METTE@iex.dk", "10.0.0.1")

    # lars's failure still counts for the address, far below its allowance
    assert [attempt(store) for _ in range(5)] == [0] * 5


def test_parallel_attempts_cannot_all_slip_through(store_location):
    store = StaffStore(store_location)
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: attempt(store), range(16)))

    assert waits.count(0) == RULES.user_at_address.allowance


def test_a_login_form_token_is_used_once(store_location):
    store = StaffStore(store_location)

    assert store.use_login_form("form-token", expires_at=time.time() + 60)
    assert not store.use_login_form("form-token", expires_at=time.time() + 60)
    assert store.use_login_form("other-token", expires_at=time.time() + 60)


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
    assert StaffStore(settings.staff_location).authenticate("mette@iex.dk", PASSWORD) is False


def test_cli_asks_for_the_password_twice(tmp_path, monkeypatch, capsys):
    settings = inbox_settings(tmp_path)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    assert staff_cli.main(["create", "mette@iex.dk"], settings) == 1
    assert "differ" in capsys.readouterr().err
    assert StaffStore(settings.staff_location).accounts() == []


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

    store = TicketStore(settings.ticket_location)
    assert store.get(REFERENCE)["status"] == "new"
    assert store.notes(REFERENCE) == []
    assert store.history(REFERENCE) == []


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
    StaffStore(settings.staff_location).disable(USERNAME)

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


def login_form(client: StaffClient) -> tuple[str, str]:
    """A fresh login form's token and the cookie that goes with it."""
    page = client.get("/inbox/login")
    return _LOGIN_TOKEN.search(page.text).group(1), client.cookies[LOGIN_COOKIE]


def post_login(client: StaffClient, token: str, password: str = PASSWORD, **options):
    form = {"username": USERNAME, "password": password, "login_token": token}
    return client.post("/inbox/login", form, **options)


def test_a_login_form_works_once_whatever_the_outcome(app):
    client = StaffClient(app)
    token, cookie = login_form(client)

    wrong = post_login(client, token, "wrong password!!")
    client.cookies[LOGIN_COOKIE] = cookie
    replayed = post_login(client, token)

    assert wrong.status == 401 and replayed.status == 403
    assert "The login form had expired" in replayed.text
    assert SESSION_COOKIE not in client.cookies
    fresh = _LOGIN_TOKEN.search(replayed.text).group(1)
    assert fresh != token and post_login(client, fresh).status == 303


def test_a_successful_login_form_cannot_be_replayed(app):
    client = StaffClient(app)
    token, cookie = login_form(client)
    assert post_login(client, token).status == 303

    thief = StaffClient(app)
    thief.cookies[LOGIN_COOKIE] = cookie

    assert post_login(thief, token).status == 403
    assert SESSION_COOKIE not in thief.cookies


def test_after_the_allowance_even_the_right_password_waits_a_second_then_gets_in(tmp_path):
    settings = inbox_settings(tmp_path, inbox_login_attempts=2)
    create_staff(settings)
    client = StaffClient(inbox_app(settings))

    failures = [client.log_in(USERNAME, "wrong password!!").status for _ in range(2)]
    waiting = client.log_in(USERNAME, PASSWORD)

    assert failures == [401, 401]
    assert waiting.status == 429 and waiting.headers["retry-after"] == "1"
    assert "Too many failed logins. Try again in 1 second." in waiting.text
    assert SESSION_COOKIE not in client.cookies

    time.sleep(1.1)

    assert client.log_in().status == 303


def test_the_wait_grows_with_each_failure_and_says_how_long(tmp_path):
    settings = inbox_settings(tmp_path)
    create_staff(settings)
    rules, start = auth.login_rules(settings), time.time() - 3
    # Five failures are free, the sixth came after its 1 s wait, the seventh after its 2 s.
    for moment in [start] * 5 + [start + 1, start + 3]:
        assert StaffStore(settings.staff_location).count_attempt(
            USERNAME, "127.0.0.1", rules, 900, moment=moment
        ) == 0

    reply = StaffClient(inbox_app(settings)).log_in()

    # 4 s after the last failure; on a slow machine part of a second may already have passed.
    assert reply.status == 429 and reply.headers["retry-after"] in ("3", "4")
    assert f"Try again in {reply.headers['retry-after']} seconds." in reply.text


@pytest.fixture
def app_behind_proxy(settings):
    """The web app behind one reverse proxy, which names the visitor in X-Forwarded-For."""
    return create_app(replace(settings, web_proxies_count=1))


def test_someone_elses_failures_do_not_keep_the_user_out_from_another_address(app_behind_proxy):
    attacker = StaffClient(app_behind_proxy)
    from_attacker = {"headers": {"X-Forwarded-For": "203.0.113.9"}}
    guesses = [
        post_login(attacker, login_form(attacker)[0], f"guess number {n}!", **from_attacker).status
        for n in range(6)
    ]
    user = StaffClient(app_behind_proxy)

    reply = post_login(user, login_form(user)[0], headers={"X-Forwarded-For": "198.51.100.7"})

    assert guesses == [401] * 5 + [429]
    assert reply.status == 303 and SESSION_COOKIE in user.cookies


def test_guessing_from_many_addresses_makes_the_user_wait_seconds_not_the_window(
    app_behind_proxy, settings
):
    rules = auth.login_rules(settings)
    for number in range(40):
        StaffStore(settings.staff_location).count_attempt(
            USERNAME, f"203.0.113.{number}", rules, 900
        )
    user = StaffClient(app_behind_proxy)

    reply = post_login(user, login_form(user)[0], headers={"X-Forwarded-For": "198.51.100.7"})

    assert reply.status == 429
    assert 0 < int(reply.headers["retry-after"]) <= auth.USER_LONGEST_WAIT_SECONDS


def test_forty_parallel_wrong_passwords_get_five_checks_and_then_one_per_wait(tmp_path):
    settings = private_settings(tmp_path)
    create_staff(settings)
    web = web_app(settings)
    web.start(log_file=tmp_path / "web.log")
    try:
        wait_until_ready([web])
        statuses, elapsed = asyncio.run(
            parallel_wrong_logins(f"http://localhost:{settings.port}", 40)
        )
    finally:
        web.stop()

    # Past the allowance the waits are 1, 2, 4 ... s: within t seconds, log2(t + 1) more checks.
    checks_allowed = settings.inbox_login_attempts + int(math.log2(elapsed + 1))
    assert set(statuses) == {401, 429}
    assert settings.inbox_login_attempts <= statuses.count(401) <= checks_allowed


async def parallel_wrong_logins(base_url: str, how_many: int) -> tuple[list[int], float]:
    """Open how_many login forms, post a wrong password on all at once: (statuses, seconds)."""
    browsers = [httpx.AsyncClient(base_url=base_url, timeout=60) for _ in range(how_many)]
    try:
        tokens = []
        for browser in browsers:
            page = await browser.get("/inbox/login")
            tokens.append(_LOGIN_TOKEN.search(page.text).group(1))
        started = time.monotonic()
        replies = await asyncio.gather(*[
            browser.post("/inbox/login", data={
                "username": USERNAME, "password": "wrong password!!", "login_token": token,
            })
            for browser, token in zip(browsers, tokens, strict=True)
        ])
        return [reply.status_code for reply in replies], time.monotonic() - started
    finally:
        for browser in browsers:
            await browser.aclose()


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
    store = TicketStore(settings.ticket_location)
    assert store.get(REFERENCE)["status"] == "new" and store.notes(REFERENCE) == []
    assert store.history(REFERENCE) == []
    assert client.get("/inbox/tickets").status == 200  # logout did not happen either


def test_the_csrf_token_of_another_session_does_not_count(app, settings):
    mine, theirs = logged_in(app), logged_in(app)

    reply = mine.post(
        f"/inbox/tickets/{REFERENCE}/status",
        {"status": "closed", "csrf_token": theirs.csrf_token()},
    )

    assert reply.status == 403
    assert TicketStore(settings.ticket_location).get(REFERENCE)["status"] == "new"


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
    assert "style-src" not in reply.headers["content-security-policy"]


def test_the_stylesheet_is_public(app):
    reply = StaffClient(app).get("/inbox/inbox.css")

    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/css")
