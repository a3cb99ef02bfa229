"""A real PostgreSQL server for the tests: the scaled mode's own (bot/local_servers.py, Debian's
package installed when missing), one per session, on a free port in a temporary folder.

As root the server runs as the ``postgres`` account, so the folder is made readable to it
(pytest's own temporary folders are private to root).
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg2

from bot import local_servers
from bot.config import Settings
from bot.supervisor import free_port


@contextmanager
def postgres_server_settings() -> Iterator[Settings]:
    """Start a throwaway server with one empty database; yields its settings (to stop and start
    it again with local_servers), stops and removes it."""
    folder = Path(tempfile.mkdtemp(prefix="iex-postgres-"))
    folder.chmod(0o755)
    settings = replace(
        Settings(), state_dir=folder, postgres_port=free_port(), postgres_database="iex_test"
    )
    local_servers.install_missing_packages()
    try:
        local_servers.start_postgres(settings)
        yield settings
    finally:
        local_servers.stop_postgres(settings)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throwaway server with one empty database; yields its URL, stops and removes it."""
    with postgres_server_settings() as settings:
        yield settings.local_postgres_url


def empty_tables(url: str) -> None:
    """Drop every table, so a test starts from a database as new as a fresh SQLite file."""
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    connection.close()
