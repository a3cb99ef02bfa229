"""PostgreSQL and Redis for the scaled mode, run as the project's own processes.

Both come from Debian packages (installed with apt-get when missing) and keep their data in
the state folder (var/postgres, var/redis); no system service is involved. Starting twice
reuses the data; stopping shuts both down cleanly.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import redis

from bot.config import Settings

#: The Debian account PostgreSQL runs as: initdb and postgres refuse to run as root.
POSTGRES_ACCOUNT = "postgres"


def install_missing_packages() -> None:
    """Install Debian's postgresql and redis-server when their programs are missing."""
    missing = [
        package for package, present in (
            ("postgresql", bool(_postgres_bin_dirs())),
            ("redis-server", shutil.which("redis-server") is not None),
        ) if not present
    ]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", *missing], check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL,
    )


def _postgres_bin_dirs() -> list[str]:
    # /usr/local/bin/pg_ctl may be a wrapper; the real programs live under /usr/lib/postgresql.
    return sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _postgres_program(name: str) -> str:
    return f"{_postgres_bin_dirs()[-1]}/{name}"


def _as_postgres(command: list[str], check: bool = True) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", POSTGRES_ACCOUNT, "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], check=check, capture_output=True, text=True,
    )


def postgres_dir(settings: Settings) -> Path:
    return settings.state_dir / "postgres"


def redis_dir(settings: Settings) -> Path:
    return settings.state_dir / "redis"


def start_postgres(settings: Settings) -> None:
    """Initialise var/postgres once, start PostgreSQL on its port, create its user and database."""
    folder = postgres_dir(settings)
    data = folder / "data"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, POSTGRES_ACCOUNT, POSTGRES_ACCOUNT)
    if not (data / "PG_VERSION").exists():
        # UTF8 whatever the shell's locale: under LANG=C initdb would make a SQL_ASCII cluster,
        # which cannot store "på". C.UTF-8 sorts by code point, as SQLite does.
        _as_postgres([_postgres_program("initdb"), "-D", str(data), "-A", "trust", "-U",
                      POSTGRES_ACCOUNT, "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])
    if _as_postgres([_postgres_program("pg_ctl"), "status", "-D", str(data)],
                    check=False).returncode != 0:
        options = f"-p {settings.postgres_port} -k {folder} -c listen_addresses=127.0.0.1"
        _as_postgres([_postgres_program("pg_ctl"), "start", "-w", "-D", str(data),
                      "-l", str(folder / "postgres.log"), "-o", options])
    _create_role_and_database(settings)


def _psql(settings: Settings, sql: str) -> str:
    return _as_postgres([
        _postgres_program("psql"), "-h", str(postgres_dir(settings)), "-p",
        str(settings.postgres_port), "-U", POSTGRES_ACCOUNT, "-d", "postgres", "-tAc", sql,
    ]).stdout.strip()


def _create_role_and_database(settings: Settings) -> None:
    user, database = settings.postgres_user, settings.postgres_database
    if not _psql(settings, f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'"):
        _psql(settings, f"CREATE ROLE {user} LOGIN PASSWORD '{settings.postgres_password}'")
    if not _psql(settings, f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):
        _psql(settings, f"CREATE DATABASE {database} OWNER {user}")


def stop_postgres(settings: Settings) -> None:
    """Shut PostgreSQL down cleanly (fast mode: open sessions are ended, data is flushed)."""
    data = postgres_dir(settings) / "data"
    if data.exists():
        _as_postgres([_postgres_program("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(data)],
                     check=False)


def redis_command(settings: Settings) -> list[str]:
    """redis-server configured from the command line only: no system config, no snapshots
    (``prepare_redis`` makes its folder)."""
    return ["redis-server", "--port", str(settings.redis_port), "--bind", "127.0.0.1",
            "--dir", str(redis_dir(settings)), "--save", "", "--appendonly", "no"]


def prepare_redis(settings: Settings) -> None:
    """The folder Redis runs in, before it starts."""
    redis_dir(settings).mkdir(parents=True, exist_ok=True)


def redis_answers(settings: Settings) -> bool:
    """Whether the scaled mode's Redis answers a PING (it takes commands)."""
    try:
        return bool(redis.Redis(host="127.0.0.1", port=settings.redis_port,
                                socket_timeout=2).ping())
    except redis.RedisError:
        return False

