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


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces.
    return text[text.rindex(")") + 2:].split()


def session_pids(leader: int) -> list[int]:
    """The pids of every running process in the session that ``leader`` started."""
    pids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and int(fields[3]) == leader:  # field 6: session id
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0  # utime, stime


def resident_bytes(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[21]) * PAGE_BYTES if fields else 0  # field 24: rss in pages


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

    def _pids(self) -> dict[str, list[int]]:
        return {name: session_pids(leader) for name, leader in self.leaders.items()}

    def _sample(self) -> None:
        for name, pids in self._pids().items():
            total = sum(resident_bytes(pid) for pid in pids)
            self._peak[name] = max(self._peak.get(name, 0), total)

    async def _keep_sampling(self) -> None:
        while True:
            self._sample()
            await asyncio.sleep(SAMPLE_SECONDS)

    def start(self) -> None:
        self._cpu_before = {pid: cpu_seconds(pid) for pids in self._pids().values() for pid in pids}
        self._peak = {}
        self._running = asyncio.get_running_loop().create_task(self._keep_sampling())

    def stop(self) -> dict[str, ServiceUsage]:
        """Each service's usage since ``start``."""
        self._running.cancel()
        self._sample()
        usage = {}
        for name, pids in self._pids().items():
            used = sum(cpu_seconds(pid) - self._cpu_before.get(pid, 0.0) for pid in pids)
            usage[name] = ServiceUsage(len(pids), round(used, 2),
                                       round(self._peak.get(name, 0) / 2**20, 1))
        return usage
