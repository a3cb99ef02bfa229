"""The e-mails a customer gets, composed in the ticket's language from the templates in
mail/templates (one file per message and language; the greeting and signature are shared)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mail.outbox import CONFIRMATION, REPLY, CustomerMail
from support_core.language import language_of

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_templates = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=False,  # plain text: nothing is HTML here
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)


def _compose(template: str, ticket: dict, sender: str, **values) -> EmailMessage:
    """The message to the ticket's customer from a template in the ticket's language."""
    language = language_of(ticket.get("language"))
    module = _templates.get_template(f"{template}.{language}.txt").make_module(
        {
            "reference": ticket["id"],
            "name": ticket["customer"].get("name") or "",
            "language": language,
            **values,
        }
    )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ticket["customer"]["email"]
    message["Subject"] = str(module.subject).strip()
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].partition("@")[2] or None)
    message.set_content(str(module).strip() + "\n")
    message["Content-Language"] = language  # after set_content, which drops Content-* headers
    return message


def confirmation(
    ticket: dict, response_time: dict[str, str], summary: list[dict[str, str]], sender: str
) -> CustomerMail:
    """The confirmation of a new ticket: its reference, the day an answer is due (the window
    from actions/response_time.py, as the chat said it) and the case as the customer confirmed
    it (actions/summary.py's fields)."""
    message = _compose("confirmation", ticket, sender, summary=summary, **response_time)
    return CustomerMail(
        f"confirmation:{ticket['idempotency_key']}", ticket["id"], CONFIRMATION, message
    )


def agent_reply(ticket: dict, text: str, reply_key: str, sender: str) -> CustomerMail:
    """An agent's answer to the customer, with the greeting and signature of the ticket's
    language; ``reply_key`` names this reply (one per form), so sending it twice sends it once."""
    message = _compose("reply", ticket, sender, text=text.strip())
    return CustomerMail(f"reply:{reply_key}", ticket["id"], REPLY, message)
