"""The ticket format shared by the action server and the web app: schema loading and validation."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_PATH = Path(__file__).resolve().parent / "ticket.schema.json"

_format_checker = FormatChecker()
_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


def parse_timestamp(value: str) -> datetime:
    """Read an ISO 8601 / RFC 3339 timestamp such as a ticket's created_at (any fraction length)."""
    match = _DATE_TIME.fullmatch(value)
    if not match:
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    whole, fraction, offset = match.groups()
    moment = datetime.strptime(whole.upper(), "%Y-%m-%dT%H:%M:%S")  # checks the ranges too
    microseconds = int((fraction or ".0")[1:7].ljust(6, "0"))
    if offset.upper() == "Z":
        zone = timezone.utc
    else:
        sign = 1 if offset[0] == "+" else -1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
    return moment.replace(microsecond=microseconds, tzinfo=zone)


@_format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # jsonschema checks date-time only with an extra package; the stdlib covers what we need.
    if isinstance(value, str):
        parse_timestamp(value)
    return True


class InvalidTicket(ValueError):
    """A ticket does not match the schema; ``problems`` lists every mismatch."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid ticket: " + "; ".join(problems))


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """Read the ticket JSON Schema (tickets/ticket.schema.json)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_format_checker)


def _location(path) -> str:
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "(ticket)"


def ticket_problems(ticket: object) -> list[str]:
    """List what is wrong with a ticket, one readable line per problem; empty when it is valid."""
    errors = sorted(
        _validator().iter_errors(ticket), key=lambda error: [str(part) for part in error.path]
    )
    return [f"{_location(error.path)}: {error.message}" for error in errors]


def validate_ticket(ticket: object) -> None:
    """Raise InvalidTicket listing every problem unless the ticket matches the schema."""
    problems = ticket_problems(ticket)
    if problems:
        raise InvalidTicket(problems)
