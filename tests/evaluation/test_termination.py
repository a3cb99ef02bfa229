"""An evaluation stopped with SIGTERM (a CI timeout, `kill`) stops the private assistant it
started, instead of leaving its servers running."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT

#: The private assistant's state folder names start so (evaluation/client.py, tempfile prefix).
PRIVATE_STATE = b"IEX_STATE_DIR=" + str(Path("/tmp") / "iex-eval-").encode()


def private_services() -> set[int]:
    """The processes whose environment points at an evaluation's private state folder."""
    found = set()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if PRIVATE_STATE in environ.read_bytes():
                found.add(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours
            continue
    return found


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_sigterm_during_an_evaluation_stops_its_servers(tmp_path):
    before = private_services()
    evaluation = subprocess.Popen(
        [sys.executable, "-m", "evaluation.dialogue", "--out", str(tmp_path / "report.json")],
        cwd=PROJECT_ROOT, env={**os.environ, "TMPDIR": "/tmp"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: private_services() - before, timeout=60), "no server started"
        started = private_services() - before
        evaluation.send_signal(signal.SIGTERM)
        evaluation.wait(timeout=60)
        assert wait_for(lambda: not (private_services() & started), timeout=30), (
            f"still running after SIGTERM: {sorted(private_services() & started)}")
    finally:
        evaluation.kill()
