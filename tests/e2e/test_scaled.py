"""End-to-end: the scaled mode (make run-scaled) on real PostgreSQL and Redis keeps one
conversation whole across several Rasa workers, through a killed worker and simultaneous
messages, and keeps the outbox and the ticket store in PostgreSQL too.

Which worker answered is read from /proc, right after the answer (Sanic closes an idle
keep-alive connection after a few seconds): the worker process that holds the server side of the
test's connection is the one that handled the requests sent over it.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import redis
import requests

from actions.outbox import DELIVERED, Outbox
from bot.config import PROJECT_ROOT
from bot.inbox.conversations import TrackerReader
from bot.inbox.staff import StaffStore
from bot.supervisor import private_settings, stop_all
from bot.ticket_store import TicketStore
from evaluation.client import CHAT_PATH
from storage.database import Database
from tests.actions.helpdesk.fakes import example_ticket
from tests.conftest import TEST_ENVIRONMENT, Assistant, inbox_session, start_assistant

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scaled() -> Assistant:
    """One scaled stack for the module; its state (PostgreSQL's data too) in a folder of var/,
    which the postgres account can reach (pytest's own temporary folders are root's only)."""
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    state_dir = Path(tempfile.mkdtemp(prefix="test-scaled-", dir=PROJECT_ROOT / "var"))
    state_dir.chmod(0o755)
    settings = replace(private_settings(state_dir), scaled=True, rasa_workers=2)
    services = start_assistant(settings, TEST_ENVIRONMENT)
    yield Assistant(settings, services)
    stop_all(services, settings)
    shutil.rmtree(state_dir)


def children(pid: int) -> list[int]:
    """A process's children: a Sanic server's workers."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def rasa_workers(assistant: Assistant) -> list[int]:
    """Process ids of the Rasa server's Sanic workers."""
    return children(assistant.service("rasa").process.pid)


class WorkerConnection:
    """A keep-alive connection to Rasa's chat channel, and the worker process that serves it."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.http = http.client.HTTPConnection("127.0.0.1", assistant.settings.rasa_port,
                                               timeout=120)
        self.http.connect()

    def say(self, sender: str, text: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": text})
        self.http.request("POST", f"{CHAT_PATH}/webhook", body,
                          {"Content-Type": "application/json"})
        reply = self.http.getresponse()
        assert reply.status == 200
        return json.loads(reply.read())

    def worker(self) -> int:
        """The worker that accepted this connection (it handles every request sent over it)."""
        inode = self._server_socket_inode()
        for _poll in range(100):
            for pid in rasa_workers(self.assistant):
                if f"socket:[{inode}]" in _open_files(pid):
                    return pid
            time.sleep(0.05)
        raise AssertionError("no Rasa worker accepted the connection")

    def _server_socket_inode(self) -> str:
        client_port = self.http.sock.getsockname()[1]
        rasa_port = self.assistant.settings.rasa_port
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            remote_port = int(fields[2].split(":")[1], 16)
            if (local_port, remote_port) == (rasa_port, client_port):
                return fields[9]
        raise AssertionError("the connection is not in /proc/net/tcp")


def _open_files(pid: int) -> set[str]:
    files = set()
    for descriptor in os.listdir(f"/proc/{pid}/fd"):
        try:
            files.add(os.readlink(f"/proc/{pid}/fd/{descriptor}"))
        except FileNotFoundError:
            continue
    return files


def user_texts(events: list[dict]) -> list[str]:
    return [event["text"] for event in events if event["event"] == "user"]


def test_one_conversation_keeps_its_state_across_workers(scaled):
    sender = scaled.chat.new_sender()
    first = WorkerConnection(scaled)
    first.say(sender, "hello")
    busy = first.worker()
    # The workers share one listening socket and an idle one may take every connection: with
    # the first one stopped, the next connection can only go to another.
    os.kill(busy, signal.SIGSTOP)
    try:
        second = WorkerConnection(scaled)
        second.say(sender, "I cannot log in")
        other = second.worker()
    finally:
        os.kill(busy, signal.SIGCONT)

    assert other != busy and other in rasa_workers(scaled)
    events = scaled.chat.events(sender)
    assert user_texts(events) == ["hello", "I cannot log in"]
    assert [event["event"] for event in events].count("session_started") == 1
    # Both workers counted the conversation's messages in the one Redis, not each its own.
    counts = redis.Redis(port=scaled.settings.redis_port, db=2)
    [limit] = counts.keys(f"*conversation:{sender}*")
    assert counts.llen(limit) == 2


def test_the_web_app_runs_several_workers_and_each_serves(scaled):
    workers = children(scaled.service("web").process.pid)
    assert len(workers) == scaled.settings.web_workers == 2
    for serving in workers:
        # With every other worker stopped, only this one can take the connection.
        others = [pid for pid in workers if pid != serving]
        for pid in others:
            os.kill(pid, signal.SIGSTOP)
        try:
            page = requests.get(f"http://127.0.0.1:{scaled.settings.port}/help", timeout=60,
                                headers={"Connection": "close"})
        finally:
            for pid in others:
                os.kill(pid, signal.SIGCONT)
        assert page.status_code == 200


def test_simultaneous_messages_of_one_conversation_are_handled_in_order(scaled):
    sender = scaled.chat.new_sender()
    scaled.chat.say(sender, "hello")
    texts = ["I cannot log in", "my invoice is wrong"]
    with ThreadPoolExecutor(len(texts)) as senders:
        answers = [senders.submit(scaled.chat.say, sender, text) for text in texts]
        for answer in answers:
            answer.result()  # a refused or failed message fails the test with its error

    events = scaled.chat.events(sender)
    users = [index for index, event in enumerate(events) if event["event"] == "user"]
    assert sorted(user_texts(events)[1:]) == sorted(texts)
    # The lock store serialises them: each message's answer ends in action_listen before the
    # next message is read.
    for start, end in zip(users, users[1:] + [len(events)], strict=True):
        turn = events[start + 1:end]
        assert any(event["event"] == "bot" for event in turn)
        assert [event.get("name") for event in turn if event["event"] == "action"][-1] \
            == "action_listen"


def test_a_killed_worker_loses_no_event(scaled):
    sender = scaled.chat.new_sender()
    first = WorkerConnection(scaled)
    first.say(sender, "hello")
    before = scaled.chat.events(sender)
    victim = first.worker()

    os.kill(victim, signal.SIGKILL)
    scaled.chat.say(sender, "I cannot log in")

    after = scaled.chat.events(sender)
    assert after[:len(before)] == before
    assert user_texts(after) == ["hello", "I cannot log in"]


def test_the_stores_and_the_inbox_live_in_postgresql(scaled):
    settings = scaled.settings
    database = settings.local_postgres_url
    StaffStore(database).create("mette@iex.dk", "correct horse battery staple")
    ticket = example_ticket(id="IEX-20261127-SCALE1", idempotency_key="iex-scaled-outbox")
    outbox = Outbox(database)

    outbox.enqueue(ticket)  # as the action server's hand-off does; the outbox worker delivers
    sender = scaled.chat.new_sender()
    scaled.chat.say(sender, "order 424242 is not in e-conomic")

    deadline = time.monotonic() + 60
    while outbox.find(ticket["id"]).status != DELIVERED and time.monotonic() < deadline:
        time.sleep(0.2)
    assert outbox.find(ticket["id"]).status == DELIVERED
    assert TicketStore(database).get(ticket["id"]) == ticket  # the web app's ticket store
    # The web app's inbox: its login (the staff store), the ticket, the conversation (Rasa's).
    inbox = inbox_session(settings, "mette@iex.dk", "correct horse battery staple")
    page = inbox.get(f"http://localhost:{settings.port}/inbox/tickets", timeout=30)
    assert ticket["id"] in page.text
    [conversation] = [found for found in TrackerReader(database).conversations()
                      if found.sender_id == sender]
    shown = inbox.get(
        f"http://localhost:{settings.port}/inbox/conversations/{conversation.id}", timeout=30
    )
    assert shown.status_code == 200 and "order 424242 is not in e-conomic" in shown.text
    # Every store is in PostgreSQL, beside Rasa's events: no SQLite file in the state folder.
    assert sorted(path.name for path in settings.state_dir.glob("*.db")) == []
    with Database(database, "events").connect() as db:
        tables = {row[0] for row in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )}
    assert {"events", "tickets", "ticket_text", "outbox", "mail_outbox", "staff", "sessions",
            "conversation_ratings"} <= tables
