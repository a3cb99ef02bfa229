"""CPU seconds and peak memory of every server process of a mode, read from /proc.

Each service runs in a session of its own (bot/supervisor.py starts it with
``start_new_session``), so its processes are those whose session id is its leader's pid.
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.5


@dataclass(frozen=True)
class ProcessStat:
    """What /proc/<pid>/stat tells of one process."""

    session: int
    cpu_seconds: float
    rss_bytes: int


def _stat(pid: int) -> ProcessStat | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None  # ended meanwhile
    # The command name (field 2) is in parentheses and may hold spaces.
    fields = text[text.rindex(")") + 2:].split()
    return ProcessStat(
        session=int(fields[3]),  # field 6
        cpu_seconds=(int(fields[11]) + int(fields[12])) / CLOCK_TICKS,  # utime, stime
        rss_bytes=int(fields[21]) * PAGE_BYTES,  # field 24: rss in pages
    )


def running_processes() -> dict[int, ProcessStat]:
    """Every running process, read in one pass over /proc."""
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                found[int(entry.name)] = stat
    return found


@dataclass
class ServiceUsage:
    """One service's processes during a measurement: CPU used and their largest total memory."""

    processes: int
    cpu_seconds: float
    peak_rss_mb: float


class UsageSampler:
    """Samples the processes of named services while a measurement runs."""

    def __init__(self, leaders: dict[str, int]):
        self.leaders = leaders
        self._cpu_before: dict[int, float] = {}
        self._peak: dict[str, int] = {}
        self._running: asyncio.Task | None = None

    def _by_service(self) -> dict[str, dict[int, ProcessStat]]:
        """Each service's processes (those of its leader's session), from one pass over /proc."""
        processes = running_processes()
        return {
            name: {pid: stat for pid, stat in processes.items() if stat.session == leader}
            for name, leader in self.leaders.items()
        }

    def _sample(self) -> dict[str, dict[int, ProcessStat]]:
        services = self._by_service()
        for name, processes in services.items():
            total = sum(stat.rss_bytes for stat in processes.values())
            self._peak[name] = max(self._peak.get(name, 0), total)
        return services

    async def _keep_sampling(self) -> None:
        while True:
            self._sample()
            await asyncio.sleep(SAMPLE_SECONDS)

    def start(self) -> None:
        self._cpu_before = {
            pid: stat.cpu_seconds
            for processes in self._by_service().values() for pid, stat in processes.items()
        }
        self._peak = {}
        self._running = asyncio.get_running_loop().create_task(self._keep_sampling())

    def stop(self) -> dict[str, ServiceUsage]:
        """Each service's usage since ``start``."""
        self._running.cancel()
        usage = {}
        for name, processes in self._sample().items():
            used = sum(stat.cpu_seconds - self._cpu_before.get(pid, 0.0)
                       for pid, stat in processes.items())
            usage[name] = ServiceUsage(len(processes), round(used, 2),
                                       round(self._peak.get(name, 0) / 2**20, 1))
        return usage
