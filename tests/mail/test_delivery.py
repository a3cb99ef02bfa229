"""The mail worker process: it stops by itself before the supervisor would kill it."""

from __future__ import annotations

from bot.supervisor import STOP_TIMEOUT_SECONDS
from mail.delivery import STOP_WAIT_SECONDS


def test_the_worker_gives_up_waiting_before_the_supervisor_kills_it():
    assert 0 < STOP_WAIT_SECONDS < STOP_TIMEOUT_SECONDS
