"""Start the Rasa server, the action server, the outbox and mail workers, the development mail
sink and the web app, and stop them.

``python -m bot.supervisor`` is what ``make run`` starts: prefixed logs, a wait until every
service answers, and a clean stop of all of them on Ctrl-C. ``python -m bot.supervisor shell``
starts the action server and chats in the terminal; ``database-url`` prints the scaled mode's
database, for the commands that work on its stores. The end-to-end tests use the same
``Service`` definitions on free ports.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import requests

from bot import local_servers
from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.deployment import development_warning, refuse_unsafe_production

BIN_DIR = Path(sys.executable).parent
READY_TIMEOUT_SECONDS = 300
STOP_TIMEOUT_SECONDS = 15


@dataclass
class Service:
    """One child process: how to start it and how to tell that it answers."""

    name: str
    command: list[str]
    #: Answers 200 once the service is up; None for a worker that serves nothing.
    ready_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    #: For a server that speaks no HTTP: whether it takes requests (with ready_url None).
    ready_check: Callable[[], bool] | None = None

    def start(self, log_prefix: bool = True, log_file: Path | None = None) -> None:
        """Start the process; its output goes to this terminal with a prefix, or to a file."""
        environment = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        output = open(log_file, "ab") if log_file else subprocess.PIPE
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        if log_file is None:
            threading.Thread(target=self._relay_output, args=(log_prefix,), daemon=True).start()

    def _relay_output(self, log_prefix: bool) -> None:
        prefix = f"[{self.name:<7}] " if log_prefix else ""
        for raw_line in self.process.stdout:
            line = raw_line.decode("utf-8", errors="replace").rstrip()
            print(f"{prefix}{line}", flush=True)

    def is_ready(self) -> bool:
        if self.ready_url is None:
            running = self.process is not None and self.process.poll() is None
            return running and (self.ready_check is None or self.ready_check())
        try:
            return requests.get(self.ready_url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def has_exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> None:
        """Ask the process group to stop, and kill it if it does not in time."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def service_environment(settings: Settings) -> dict[str, str]:
    """Environment every child needs: ports, state folder and the values endpoints.yml reads."""
    environment = {
        "IEX_STATE_DIR": str(settings.state_dir),
        "IEX_ACTION_SERVER_URL": f"http://localhost:{settings.action_port}/webhook",
        "IEX_ACTION_SECRET": settings.action_secret,
        "IEX_TRACKER_DB": str(settings.tracker_db),
        "IEX_WEB_PORT": str(settings.port),
        "IEX_RASA_URL": settings.rasa_url,
        "IEX_TICKET_API_TOKEN": settings.ticket_api_token,
        "IEX_TICKET_API_URL": f"http://localhost:{settings.port}",
        "IEX_ARTICLES_DIR": str(settings.articles_dir),
        # Said outright: a configured IEX_SMTP_HOST would turn the sink off in every child.
        "IEX_SMTP_HOST": settings.smtp_host,
        "IEX_SMTP_PORT": str(settings.smtp_port),
        "IEX_MAIL_SINK": "1" if settings.mail_sink else "0",
        # Empty: SQLite files in the state folder; scaled mode: the shared PostgreSQL, for Rasa's
        # tracker store and the stores of the web app and the workers.
        "IEX_DATABASE_URL": settings.local_postgres_url if settings.scaled else "",
    }
    if settings.scaled:
        environment |= {
            "IEX_REDIS_HOST": "127.0.0.1",
            "IEX_REDIS_PORT": str(settings.redis_port),
            "SANIC_WORKERS": str(settings.rasa_workers),
            "ACTION_SERVER_SANIC_WORKERS": str(settings.action_workers),
        }
        if settings.rate_limit_storage == Settings.rate_limit_storage:
            # Counted in memory, each Rasa and action server worker would allow the whole limit.
            environment["IEX_RATE_LIMIT_STORAGE"] = settings.local_redis_url
    if settings.mail_sink:
        # The sink offers neither STARTTLS nor a login: a real server's, from the caller's shell,
        # would make every e-mail fail (and send its password to the sink).
        environment |= {"IEX_SMTP_STARTTLS": "0", "IEX_SMTP_USERNAME": "", "IEX_SMTP_PASSWORD": ""}
    return environment


def local_address(host: str) -> str:
    """Where this machine reaches a server that listens on ``host``."""
    return "localhost" if host in ("0.0.0.0", "::", "") else host


def action_server(settings: Settings) -> Service:
    """Only Rasa calls the action server, so it listens on this machine alone, always."""
    return Service(
        name="actions",
        command=[str(BIN_DIR / "rasa"), "run", "actions", "--actions", "actions",
                 "--port", str(settings.action_port)],
        ready_url=f"http://localhost:{settings.action_port}/health",
        # rasa-sdk has no option for its interface; it reads this variable.
        env={**service_environment(settings), "SANIC_HOST": "127.0.0.1"},
    )


def outbox_worker(settings: Settings) -> Service:
    return Service(
        name="outbox",
        command=[sys.executable, "-m", "actions.delivery"],
        ready_url=None,
        env=service_environment(settings),
    )


def mail_worker(settings: Settings) -> Service:
    """Sends the customer e-mails of the mail outbox by SMTP."""
    return Service(
        name="mail",
        command=[sys.executable, "-m", "mail.delivery"],
        ready_url=None,
        env=service_environment(settings),
    )


def mail_sink(settings: Settings) -> Service:
    """The development mail sink: the SMTP server customer e-mails go to by default."""
    return Service(
        name="smtp",
        command=[sys.executable, "-m", "mail.sink"],
        ready_url=None,
        env=service_environment(settings),
    )


def mail_services(settings: Settings) -> list[Service]:
    """The mail worker, and the development sink unless a real SMTP server is configured."""
    return ([mail_sink(settings)] if settings.mail_sink else []) + [mail_worker(settings)]


def endpoints_file(settings: Settings) -> str:
    """Rasa's endpoints: SQLite tracker store, or PostgreSQL and a Redis lock store (scaled)."""
    return "endpoints-scaled.yml" if settings.scaled else "endpoints.yml"


def rasa_server(settings: Settings) -> Service:
    return Service(
        name="rasa",
        command=[sys.executable, "-m", "bot.log_privacy", "run", "--enable-api",
                 "--auth-token", settings.rasa_auth_token, "--cors", *settings.site_origins,
                 "--interface", settings.rasa_host,
                 "--port", str(settings.rasa_port), "--model", str(settings.models_dir),
                 "--endpoints", endpoints_file(settings), "--credentials", "credentials.yml"],
        ready_url=(
            f"http://{local_address(settings.rasa_host)}:{settings.rasa_port}"
            f"/status?token={settings.rasa_auth_token}"
        ),
        env=service_environment(settings),
    )


def web_app(settings: Settings) -> Service:
    """The web app: several worker processes in the scaled mode, whose stores are shared."""
    workers = settings.web_workers if settings.scaled else 1
    return Service(
        name="web",
        command=[sys.executable, "-m", "bot.app", "--workers", str(workers)],
        ready_url=f"http://{local_address(settings.host)}:{settings.port}/",
        env=service_environment(settings),
    )


def redis_server(settings: Settings) -> Service:
    """The scaled mode's lock store."""
    return Service(name="redis", command=local_servers.redis_command(settings), ready_url=None,
                   ready_check=lambda: local_servers.redis_answers(settings))


def all_services(settings: Settings) -> list[Service]:
    """Everything ``make run`` (or ``make run-scaled``) starts, in start order."""
    stores = [redis_server(settings)] if settings.scaled else []
    return [
        *stores, action_server(settings), outbox_worker(settings), *mail_services(settings),
        rasa_server(settings), web_app(settings),
    ]


def wait_until_ready(services: list[Service], timeout: float = READY_TIMEOUT_SECONDS) -> None:
    """Block until every service answers; raise if one exits or the time runs out."""
    deadline = time.monotonic() + timeout
    waiting = list(services)
    while waiting:
        for service in list(waiting):
            if service.has_exited():
                raise RuntimeError(f"{service.name} exited with code {service.process.returncode}")
            if service.is_ready():
                waiting.remove(service)
        if time.monotonic() > deadline:
            names = ", ".join(service.name for service in waiting)
            raise TimeoutError(f"not answering after {timeout:.0f} s: {names}")
        if waiting:
            time.sleep(0.5)


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def private_settings(state_dir: Path) -> Settings:
    """Settings for a private copy of the whole system on free ports (tests, evaluations)."""
    rasa_port = free_port()
    return replace(
        Settings(),
        port=free_port(),
        rasa_port=rasa_port,
        action_port=free_port(),
        smtp_port=free_port(),
        postgres_port=free_port(),
        redis_port=free_port(),
        rasa_url=f"http://localhost:{rasa_port}",
        state_dir=state_dir,
        # Test pages run web apps of their own on other free ports of this machine.
        allowed_origins=(r"http://(localhost|127\.0\.0\.1):\d+\Z",),
    )


def start_in_background(settings: Settings, environment: dict | None = None) -> list[Service]:
    """Start every service with its log in the state folder; raise with the logs if one fails."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    services = all_services(settings)
    try:
        start_stores(settings)
        for service in services:
            service.env.update(environment or {})
            service.start(log_file=settings.state_dir / f"{service.name}.log")
        wait_until_ready(services)
    except (RuntimeError, TimeoutError):
        stop_all(services, settings)
        logs = "\n".join(
            (settings.state_dir / f"{service.name}.log").read_text()[-3000:] for service in services
        )
        raise RuntimeError(f"the assistant did not start:\n{logs}") from None
    except BaseException:  # Ctrl-C or SIGTERM while waiting: nothing is left running
        stop_all(services, settings)
        raise
    return services


def start_stores(settings: Settings) -> None:
    """In scaled mode: install PostgreSQL and Redis, start PostgreSQL, make Redis's folder (Redis
    starts as a service)."""
    if settings.scaled:
        local_servers.install_missing_packages()
        local_servers.prepare_redis(settings)
        local_servers.start_postgres(settings)


def stop_all(services: list[Service], settings: Settings | None = None) -> None:
    """Stop the services, last started first, then the scaled mode's PostgreSQL."""
    for service in reversed(services):
        service.stop()
    if settings is not None and settings.scaled:
        local_servers.stop_postgres(settings)


def _stop_on_terminate(*_signal_details) -> None:
    raise KeyboardInterrupt


def stop_on_terminate() -> None:
    """Let SIGTERM end this process as Ctrl-C does, so its `finally` blocks stop the services."""
    signal.signal(signal.SIGTERM, _stop_on_terminate)


def run_all(settings: Settings) -> int:
    """Start all services, report where to chat, and stop them all on Ctrl-C."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    services = all_services(settings)
    stop_on_terminate()
    try:
        start_stores(settings)
        for service in services:
            service.start()
        print("[supervisor] waiting for the action server, Rasa and the web app ...", flush=True)
        wait_until_ready(services)
        print(
            "\n[supervisor] ready. Chat with the assistant at "
            f"http://localhost:{settings.port}/\n"
            f"[supervisor] Rasa: http://localhost:{settings.rasa_port}  "
            f"actions: http://localhost:{settings.action_port}  (Ctrl-C stops all)",
            flush=True,
        )
        if settings.mail_sink:
            print(
                f"[supervisor] customer e-mails go to the development mail sink on"
                f" {settings.smtp_host}:{settings.smtp_port}; read them at"
                f" http://localhost:{settings.port}/inbox/mail",
                flush=True,
            )
        print(flush=True)
        while not any(service.has_exited() for service in services):
            time.sleep(0.5)
        crashed = next(service for service in services if service.has_exited())
        print(f"[supervisor] {crashed.name} stopped unexpectedly; stopping the others", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\n[supervisor] stopping ...", flush=True)
        return 0
    except (RuntimeError, TimeoutError) as error:
        print(f"[supervisor] could not start: {error}", flush=True)
        return 1
    finally:
        stop_all(services, settings)
        print("[supervisor] all stopped", flush=True)


def shell(settings: Settings) -> int:
    """Chat in the terminal: ``rasa shell`` in front, the other services in the background."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    background = [
        action_server(settings), outbox_worker(settings), *mail_services(settings),
        web_app(settings),
    ]
    for service in background:
        service.start(log_file=settings.state_dir / f"{service.name}-shell.log")
    try:
        wait_until_ready(background)
        environment = {**os.environ, **service_environment(settings)}
        command = [sys.executable, "-m", "bot.log_privacy", "shell",
                   "--model", str(settings.models_dir), "--interface", "127.0.0.1",
                   "--port", str(settings.rasa_port), "--endpoints", "endpoints.yml"]
        return subprocess.call(command, cwd=PROJECT_ROOT, env=environment)
    finally:
        stop_all(background)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", choices=["run", "shell", "database-url"], default="run",
                        help="database-url: print the scaled mode's IEX_DATABASE_URL")
    parser.add_argument("--scaled", action="store_true",
                        help="PostgreSQL, Redis and several workers (make run-scaled)")
    arguments = parser.parse_args()
    if arguments.mode == "database-url":  # for `make ... SCALED=1`
        print(load_settings().local_postgres_url)
        return
    settings = replace(refuse_unsafe_production("supervisor"), scaled=arguments.scaled)
    warning = development_warning(settings)
    if warning:
        print(f"[supervisor] {warning}", flush=True)
    sys.exit(shell(settings) if arguments.mode == "shell" else run_all(settings))


if __name__ == "__main__":
    main()
