"""End-to-end: `make run`'s supervisor starts all services, Ctrl-C stops them all, and production
mode refuses development defaults before anything starts."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
import requests

from bot import local_servers
from bot.config import PROJECT_ROOT
from bot.supervisor import (
    BIN_DIR,
    private_settings,
    redis_server,
    service_environment,
    wait_until_ready,
)
from evaluation.client import ChatClient
from tests.conftest import MODELS_DIR

pytestmark = pytest.mark.e2e


class SupervisorRun:
    """``python -m bot.supervisor run`` in a child process, its output collected line by line."""

    def __init__(self, settings):
        environment = {
            **os.environ,
            "IEX_WEB_PORT": str(settings.port),
            "IEX_RASA_PORT": str(settings.rasa_port),
            "IEX_ACTION_PORT": str(settings.action_port),
            "IEX_STATE_DIR": str(settings.state_dir),
            "IEX_SMTP_PORT": str(settings.smtp_port),
        }
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.supervisor", "run"],
            cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, fragment: str, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if fragment in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError(f"no line with {fragment!r}; output:\n" + "\n".join(self.lines[-60:]))

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


def answers(port: int) -> bool:
    try:
        requests.get(f"http://localhost:{port}/", timeout=2)
        return True
    except requests.ConnectionError:
        return False


def test_run_starts_everything_and_a_conversation_survives_a_restart(tmp_path):
    if not any(MODELS_DIR.glob("*.tar.gz")):
        pytest.fail("No trained model in models/: run `make train` first.")
    settings = private_settings(tmp_path)
    ports = (settings.port, settings.rasa_port, settings.action_port)

    first = SupervisorRun(settings)
    try:
        ready = first.wait_for("Chat with the assistant at")
        # One warning, before anything starts, lists the development defaults in use.
        warning = first.wait_for("WARNING: development settings")
        assert first.lines.index(warning) < first.lines.index(first.wait_for("waiting for"))
        assert first.wait_for("IEX_ACTION_SECRET is the development default")
        assert f"http://localhost:{settings.port}/" in ready
        page = requests.get(f"http://localhost:{settings.port}/", timeout=10)
        assert page.status_code == 200 and "IEX Support" in page.text
        chat = ChatClient(settings.rasa_url, settings.rasa_auth_token)
        conversation = chat.new_sender()
        assert "billable" in json.dumps(chat.say(conversation, "can I call you?"))
        # The HTTP API is protected by the token; the chat channel by its signed ids.
        assert requests.get(f"{settings.rasa_url}/status", timeout=10).status_code == 401
    finally:
        exit_code = first.interrupt()
    assert exit_code == 0
    first.wait_for("all stopped", timeout=5)
    assert not any(answers(port) for port in ports)

    second = SupervisorRun(settings)
    try:
        second.wait_for("Chat with the assistant at")
        tracker = requests.get(
            f"{settings.rasa_url}/conversations/{conversation}/tracker",
            params={"token": settings.rasa_auth_token}, timeout=30,
        ).json()
        said = [event.get("text") for event in tracker["events"] if event["event"] == "user"]
        assert "can I call you?" in said
    finally:
        assert second.interrupt() == 0


#: Every way a service of ``make run`` can be started on its own.
ENTRY_POINTS = {
    "supervisor": [sys.executable, "-m", "bot.supervisor", "run"],
    "web app": [sys.executable, "-m", "bot.app"],
    "outbox worker": [sys.executable, "-m", "actions.delivery"],
    "mail worker": [sys.executable, "-m", "mail.delivery"],
    "mail sink": [sys.executable, "-m", "mail.sink"],
    "Rasa server": [sys.executable, "-m", "bot.log_privacy", "run"],
    "action server": [str(BIN_DIR / "rasa"), "run", "actions", "--actions", "actions"],
}


@pytest.mark.parametrize("service", ENTRY_POINTS)
def test_production_with_development_defaults_refuses_to_start_anything(service, tmp_path):
    settings = private_settings(tmp_path / "state")
    environment = {
        **os.environ, "IEX_ENV": "production", "IEX_STATE_DIR": str(settings.state_dir),
        "IEX_WEB_PORT": str(settings.port), "IEX_RASA_PORT": str(settings.rasa_port),
        "IEX_ACTION_PORT": str(settings.action_port), "IEX_INBOX_SECURE_COOKIES": "true",
    }
    started = time.monotonic()
    result = subprocess.run(
        ENTRY_POINTS[service], cwd=PROJECT_ROOT, env=environment, capture_output=True,
        text=True, timeout=120,
    )
    assert result.returncode == 1
    assert f"{service}: refusing to start in production" in result.stderr
    for problem in ["IEX_RASA_AUTH_TOKEN", "IEX_TICKET_API_TOKEN", "IEX_ACTION_SECRET",
                    "IEX_CONVERSATION_SECRET", "IEX_INBOX_SECRET_KEY", "IEX_ALLOWED_ORIGINS",
                    "IEX_RASA_URL"]:
        assert problem in result.stderr
    assert "IEX_INBOX_SECURE_COOKIES" not in result.stderr
    if service == "supervisor":
        assert time.monotonic() - started < 10
        assert not settings.state_dir.exists() and "waiting for" not in result.stdout


def test_the_stores_are_sqlite_files_in_make_run_and_postgresql_in_the_scaled_mode(tmp_path):
    settings = replace(private_settings(tmp_path), database_url="postgresql://elsewhere/db")
    scaled = replace(settings, scaled=True)

    # make run ignores a database of the caller's shell: the children keep to the SQLite files.
    assert service_environment(settings)["IEX_DATABASE_URL"] == ""
    assert service_environment(scaled)["IEX_DATABASE_URL"] == scaled.local_postgres_url
    printed = subprocess.run(
        [sys.executable, "-m", "bot.supervisor", "database-url"], cwd=PROJECT_ROOT,
        env={**os.environ, "IEX_POSTGRES_PORT": str(scaled.postgres_port)},
        capture_output=True, text=True, timeout=60,
    )
    assert printed.stdout.strip() == scaled.local_postgres_url  # what `make ... SCALED=1` uses


def test_the_scaled_mode_counts_rate_limits_in_its_redis_unless_told_otherwise(tmp_path):
    scaled = replace(private_settings(tmp_path), scaled=True)
    elsewhere = replace(scaled, rate_limit_storage="redis://counts.example:6379/3")

    assert service_environment(scaled)["IEX_RATE_LIMIT_STORAGE"] == scaled.local_redis_url
    assert "IEX_RATE_LIMIT_STORAGE" not in service_environment(elsewhere)  # the caller's stays
    assert "IEX_RATE_LIMIT_STORAGE" not in service_environment(replace(scaled, scaled=False))


def test_redis_counts_as_ready_only_once_it_answers(tmp_path):
    settings = replace(private_settings(tmp_path), scaled=True)
    local_servers.install_missing_packages()
    local_servers.prepare_redis(settings)
    # A process that runs but is not Redis (yet): not ready.
    waiting = redis_server(settings)
    waiting.command = [sys.executable, "-c", "import time; time.sleep(60)"]
    redis = redis_server(settings)
    try:
        waiting.start(log_file=tmp_path / "waiting.log")
        assert not waiting.is_ready()
        waiting.stop()
        redis.start(log_file=tmp_path / "redis.log")
        wait_until_ready([redis], timeout=30)
        assert local_servers.redis_answers(settings)
    finally:
        waiting.stop()
        redis.stop()
    assert not local_servers.redis_answers(settings)
