"""Exports of the inbox: tickets as CSV and JSON, messages not understood as an NLU YAML stub."""
from __future__ import annotations

import csv
import io
import json
import re

from bot.inbox.analytics import UnderstoodNot
from bot.inbox.periods import Period
from support_core.language import language_of

TICKET_COLUMNS = (
    "reference", "created_at", "status", "customer_email", "customer_name", "category", "systems",
    "summary", "description", "order_ids", "product_ids", "other_examples", "articles_shown",
    "log_checked", "log_status", "urgent_requested", "language", "conversation_id",
)
#: A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
#: Placeholder intent of the NLU stub; the trainer replaces it.
PLACEHOLDER_INTENT = "TODO_label_these_examples"


def spreadsheet_safe(value: object) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


def ticket_row(ticket: dict) -> dict[str, str]:
    """One ticket as a flat row of the CSV export (lists joined with "; ")."""
    examples = ticket.get("examples") or {}
    self_help = ticket.get("self_help") or {}
    customer = ticket.get("customer") or {}
    row = {
        "reference": ticket.get("id"),
        "created_at": ticket.get("created_at"),
        "status": ticket.get("status"),
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "category": ticket.get("category"),
        "systems": "; ".join(ticket.get("systems") or []),
        "summary": ticket.get("summary"),
        "description": ticket.get("description"),
        "order_ids": "; ".join(examples.get("order_ids") or []),
        "product_ids": "; ".join(examples.get("product_ids") or []),
        "other_examples": "; ".join(examples.get("other") or []),
        "articles_shown": "; ".join(self_help.get("articles_shown") or []),
        "log_checked": _yes_no(self_help.get("log_checked")),
        "log_status": self_help.get("log_status"),
        "urgent_requested": _yes_no(ticket.get("urgent_requested")),
        "language": language_of(ticket.get("language")),
        "conversation_id": ticket.get("conversation_id"),
    }
    return {column: spreadsheet_safe(row[column]) for column in TICKET_COLUMNS}


def tickets_csv(tickets: list[dict]) -> str:
    """The tickets as CSV with a header row, one ticket a row (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=TICKET_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for ticket in tickets:
        writer.writerow(ticket_row(ticket))
    return buffer.getvalue()


def ticket_json(ticket: dict) -> str:
    """One ticket as indented JSON, exactly as stored, to copy into another helpdesk."""
    return json.dumps(ticket, ensure_ascii=False, indent=2) + "\n"


def tickets_json(tickets: list[dict]) -> str:
    """The tickets as a JSON array, each exactly as stored (it matches ticket.schema.json)."""
    return json.dumps(tickets, ensure_ascii=False, indent=2) + "\n"


def training_example(text: str) -> str:
    """A message as one line of an NLU example list: one line, no control characters."""
    return " ".join(_CONTROL_CHARACTERS.sub(" ", text).split())


def nlu_stub(messages: list[UnderstoodNot], period: Period) -> str:
    """Rasa NLU training data (version 3.1) with the messages as examples of a placeholder intent.

    A trainer replaces the placeholder with the right intent (or splits the examples between
    several), removes what should stay unanswered, and adds the file to data/nlu/.
    """
    examples = []
    for message in messages:
        example = training_example(message.text)
        if example and example not in examples:
            examples.append(example)
    lines = [
        "# Messages the IEX Support Assistant did not understand, "
        f"{period.first.isoformat()} to {period.last.isoformat()}.",
        f"# Replace {PLACEHOLDER_INTENT} with an intent from domain.yml (or split the examples",
        "# between intents), delete what should stay unanswered, then add this to data/nlu/.",
        'version: "3.1"',
        "nlu:",
        f"- intent: {PLACEHOLDER_INTENT}",
    ]
    if examples:
        # A literal block: the text stays as written, whatever quotes or colons it has.
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in examples)
    else:
        lines.append('  examples: ""')
    return "\n".join(lines) + "\n"
