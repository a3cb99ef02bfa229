"""storage/database.py on a real PostgreSQL server: the password never shows, the pool survives
a server restart and holds at most POOL_SIZE connections, a writer gives up on a held lock, a
forked child opens its own connections, and the server is UTF8 whatever the shell's locale."""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import psycopg2
import pytest

from bot import local_servers
from bot.supervisor import free_port
from storage import database
from storage.database import DATABASE_ERRORS, Database
from tests.postgres import postgres_server_settings

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://iex:se%zzcret@db.example:5432/iex", "postgresql://iex:***@db.example:5432/iex"),
        ("postgresql://db.example/iex?user=iex&password=secret",
         "postgresql://db.example/iex?password=***&user=iex"),
        ("postgres://iex@db.example/iex?sslpassword=secret&sslmode=require",
         "postgres://iex@db.example/iex?sslmode=require&sslpassword=***"),
        ("postgresql://iex:se/cret@db.example/iex", "postgresql://iex:***@db.example/iex"),
        ("postgresql://iex:se@cret@db.example/iex", "postgresql://***"),     # unencoded @
        ("postgresql://iex:secret@db.example:port/iex", "postgresql://***"),  # cannot be read
    ],
)
def test_the_password_never_shows_in_the_database_name(url, shown):
    assert repr(Database(url, "outbox")) == shown
    assert "cret" not in repr(Database(url, "outbox"))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://iex:se%zzcret@127.0.0.1:{port}/iex",
        "postgresql://127.0.0.1:{port}/iex?user=iex&password=se%zzcret",
        "postgresql://iex:se@zzcret@127.0.0.1:{port}/iex",
    ],
)
def test_a_connect_error_names_the_database_without_its_password(url):
    store = Database(url.format(port=free_port()), "outbox")  # nothing listens there

    with pytest.raises(DATABASE_ERRORS) as raised:
        with store.connect():
            pass

    message = str(raised.value)
    assert repr(store) in message and "zz" not in message
    assert raised.value.__suppress_context__  # the original error, which may quote it, is gone


@pytest.fixture(scope="module")
def server():
    """A PostgreSQL server of this module's own (it is restarted), initialised and started with
    LANG=C and LC_ALL=C, as from a shell without a UTF-8 locale."""
    with ExitStack() as stack:
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("LANG", "C")
            environment.setenv("LC_ALL", "C")
            settings = stack.enter_context(postgres_server_settings())
        yield settings


def own_pool(server, name: str) -> str:
    """The server's URL for a test of its own: another URL is another pool (made with the
    module's constants as the test set them), and its sessions carry ``name``."""
    return f"{server.local_postgres_url}?application_name={name}"


def pooled_sessions(url: str, name: str) -> int:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_the_server_is_utf8_whatever_the_shells_locale(server):
    store = Database(server.local_postgres_url, "notes")
    with store.connect() as db:
        assert db.execute("SHOW server_encoding").fetchone()[0] == "UTF8"
        assert db.execute("SELECT ?::text", ("på",)).fetchone()[0] == "på"


def test_connections_give_up_connecting_and_waiting_for_locks(server):
    with Database(server.local_postgres_url, "notes").connect() as db:
        parameters = db.connection.info.dsn_parameters
        assert parameters["connect_timeout"] == str(database.CONNECT_TIMEOUT_SECONDS)
        assert db.execute("SHOW lock_timeout").fetchone()[0] == f"{database.WAIT_TIMEOUT_SECONDS}s"
        assert db.execute("SHOW idle_in_transaction_session_timeout").fetchone()[0] == "1min"


def test_after_a_server_restart_the_next_operations_succeed(server):
    url = own_pool(server, "restart")
    store = Database(url, "notes")
    store.create("CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL);")
    with ExitStack() as stack:  # four connections in the pool at once
        for _ in range(4):
            stack.enter_context(store.connect())
    assert pooled_sessions(server.local_postgres_url, "restart") == 4

    local_servers.stop_postgres(server)
    local_servers.start_postgres(server)

    for number in range(4):
        with store.transaction() as db:
            db.execute("INSERT INTO notes (text) VALUES (?)", (f"note {number}",))
    with store.connect() as db:
        assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 4


def test_the_pool_opens_at_most_pool_size_connections(server, monkeypatch):
    monkeypatch.setattr(database, "WAIT_TIMEOUT_SECONDS", 1)
    store = Database(own_pool(server, "pool_size"), "notes")
    with ExitStack() as stack:
        for _ in range(database.POOL_SIZE):
            stack.enter_context(store.connect())

        with pytest.raises(DATABASE_ERRORS, match="busy"):
            with store.connect():
                pass
    assert pooled_sessions(server.local_postgres_url, "pool_size") == database.POOL_SIZE


HOLD_WRITE_LOCK = """
import sys
from storage.database import Database
with Database(sys.argv[1], "notes").transaction():
    print("holding", flush=True)
    sys.stdin.read()
"""


def test_a_writer_gives_up_while_another_process_holds_the_write_lock(server, monkeypatch):
    monkeypatch.setattr(database, "WAIT_TIMEOUT_SECONDS", 1)
    store = Database(own_pool(server, "impatient"), "notes")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, server.local_postgres_url], cwd=REPOSITORY,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        with pytest.raises(DATABASE_ERRORS, match="notes store's write lock"):
            with store.transaction():
                pass
    finally:
        holder.communicate("")  # ends its transaction
    with store.transaction() as db:
        assert db.execute("SELECT 1").fetchone()[0] == 1


def backend(store: Database) -> int:
    with store.connect() as db:
        return db.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_a_forked_child_opens_its_own_connections(server):
    store = Database(own_pool(server, "fork"), "notes")
    parents = backend(store)
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the child: a session of its own, then gone without closing the parent's
        try:
            os.write(writing, str(backend(store)).encode())
        finally:
            os._exit(0)
    os.close(writing)
    childs = int(os.read(reading, 32))
    os.waitpid(child, 0)
    os.close(reading)

    assert childs != parents
    assert backend(store) == parents  # the parent's session was neither closed nor taken
