"""Rasa's stock starter bot (``rasa init``), trained once per Rasa version and run beside ours.

The project and its model are kept in ``var/bench/starter/rasa-<version>``; a later run reuses
them. The starter has no custom actions (its actions.py is all comments), so it runs without an
action server. Its conversations go to a SQLite tracker store, like ours.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import rasa

from bot.config import PROJECT_ROOT
from bot.supervisor import BIN_DIR, Service, free_port

STARTER_ROOT = PROJECT_ROOT / "var" / "bench" / "starter"


def starter_project() -> Path:
    """This Rasa version's starter project with a trained model; made and trained if missing."""
    project = STARTER_ROOT / f"rasa-{rasa.__version__}"
    if not any((project / "models").glob("*.tar.gz")):
        project.mkdir(parents=True, exist_ok=True)
        print(f"[bench] training Rasa's starter bot in {project} (once per Rasa version)",
              flush=True)
        subprocess.run([str(BIN_DIR / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return project


def starter_server(project: Path, state_dir: Path) -> tuple[Service, str]:
    """The starter bot's ``rasa run --enable-api`` on a free port, and its URL."""
    port = free_port()
    endpoints = state_dir / "starter-endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n"
        f"  db: {state_dir / 'starter-tracker.db'}\n")
    url = f"http://127.0.0.1:{port}"
    service = Service(
        name="starter",
        command=[str(BIN_DIR / "rasa"), "run", "--enable-api", "--interface", "127.0.0.1",
                 "--port", str(port), "--model", str(project / "models"),
                 "--endpoints", str(endpoints), "--credentials", str(project / "credentials.yml")],
        ready_url=f"{url}/",
    )
    return service, url
