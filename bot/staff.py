"""Manage the support inbox's staff accounts: ``python -m bot.staff create|list|disable``.

``create NAME`` asks for the password twice (or reads one line from standard input with
``--password-stdin``), ``list`` shows every account, ``disable NAME`` locks an account out and ends
its sessions. The accounts live next to the tickets: in the state folder (IEX_STATE_DIR), or in
the PostgreSQL database of IEX_DATABASE_URL.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from bot.config import Settings, load_settings
from bot.inbox.staff import StaffError, StaffStore


def read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Same password again: ") != first:
        raise StaffError("the two passwords differ")
    return first


def create(store: StaffStore, username: str, from_stdin: bool) -> int:
    """Create an account; 0 when created, 1 with the reason otherwise."""
    try:
        account = store.create(username, read_password(from_stdin))
    except StaffError as error:
        print(f"Not created: {error}.", file=sys.stderr)
        return 1
    print(f"Created {account.username}. Log in at /inbox.")
    return 0


def list_accounts(store: StaffStore) -> int:
    """Print every account with its state and last login."""
    accounts = store.accounts()
    if not accounts:
        print("No staff accounts yet. Create one with: python -m bot.staff create NAME")
        return 0
    width = max(len(account.username) for account in accounts)
    print(f"{'user':<{width}}  {'state':<8}  {'created':<20}  last login")
    for account in accounts:
        state = "active" if account.active else "disabled"
        print(f"{account.username:<{width}}  {state:<8}  {account.created_at:<20}"
              f"  {account.last_login_at or '-'}")
    return 0


def disable(store: StaffStore, username: str) -> int:
    """Disable an account and end its sessions; 1 if there is no such active account."""
    if store.disable(username):
        print(f"Disabled {username}; its sessions have ended.")
        return 0
    print(f"There is no active account {username}.", file=sys.stderr)
    return 1


def main(arguments: list[str] | None = None, settings: Settings | None = None) -> int:
    """Run one command of the CLI; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.staff", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create_parser = commands.add_parser("create", help="create a staff account")
    create_parser.add_argument("username", help="user name, usually the e-mail address")
    create_parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    commands.add_parser("list", help="list the staff accounts")
    disable_parser = commands.add_parser("disable", help="disable an account, ending its sessions")
    disable_parser.add_argument("username")
    parsed = parser.parse_args(arguments)
    store = StaffStore((settings or load_settings()).staff_location)
    if parsed.command == "create":
        return create(store, parsed.username, parsed.password_stdin)
    if parsed.command == "disable":
        return disable(store, parsed.username)
    return list_accounts(store)


if __name__ == "__main__":
    sys.exit(main())
