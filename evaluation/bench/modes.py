"""A mode is which set of servers the benchmark starts, and the channel its customers use.

``run`` is what ``make run`` starts (bot/supervisor.py ``all_services``), on free ports with a
private state folder; ``scaled`` is ``make run-scaled``'s (PostgreSQL, Redis, several Rasa and
action server workers) the same way; ``starter`` is Rasa's starter bot.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bot import supervisor
from bot.config import Settings
from bot.supervisor import Service, private_settings, start_in_background, stop_all
from evaluation.bench.channels import Channel, RestChannel, SupportChat
from evaluation.bench.starter import starter_project, starter_server
from evaluation.client import ONE_CLIENT_ENVIRONMENT

MODES = ("run", "scaled", "starter")
#: The benchmark is one client address holding many conversations, and one conversation of 80
#: messages sent back to back: lift the per-address and per-conversation limits.
BENCH_ENVIRONMENT = {**ONE_CLIENT_ENVIRONMENT, "IEX_RATE_LIMIT_CONVERSATION": "100000/minute"}


@dataclass
class RunningMode:
    """The started servers of one mode and the channel its customers talk through."""

    name: str
    channel: Channel
    services: list[Service]
    #: Our assistant's settings (None for the starter bot): stopping the scaled mode needs them.
    settings: Settings | None = None

    def leaders(self) -> dict[str, int]:
        """Each service's name and the pid that leads its process session."""
        return {service.name: service.process.pid for service in self.services}

    def stop(self) -> None:
        stop_all(self.services, self.settings)


def start_mode(name: str, state_dir: Path) -> RunningMode:
    """Start the servers of mode ``name`` with their state and logs in ``state_dir``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    if name == "starter":
        service, url = starter_server(starter_project(), state_dir)
        service.start(log_file=state_dir / "starter.log")
        try:
            supervisor.wait_until_ready([service])
        except BaseException:
            service.stop()
            raise
        return RunningMode(name, RestChannel(url), [service])
    settings = replace(private_settings(state_dir), scaled=name == "scaled")
    services = start_in_background(settings, BENCH_ENVIRONMENT)
    return RunningMode(name, SupportChat(settings.rasa_url), services, settings)
