"""The inbox's side of customer e-mails: an agent's reply from the ticket page (kept in the
ticket's history and sent through the mail outbox), every e-mail of a ticket with where its
delivery stands, the ticket's history with its e-mails in it, and the development mail sink's
messages at /inbox/mail.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from actions.outbox import FAILED, PENDING
from bot.config import Settings
from bot.inbox.periods import local_time
from bot.ticket_store import TicketStore
from mail.messages import agent_reply
from mail.outbox import CONFIRMATION, MailItem, MailOutbox
from mail.sink import received_messages

logger = logging.getLogger(__name__)

MAX_REPLY_LENGTH = 10000
#: A reply form's key: 32 hexadecimal digits, drawn when the ticket page is shown.
_REPLY_KEY = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class SentMail:
    """One e-mail to the customer as the ticket page lists it."""

    kind: str
    #: Who wrote it: a staff member, or None for the assistant's confirmation.
    author: str | None
    #: What the agent wrote (a reply), or None (the confirmation).
    text: str | None
    created_at: str | float
    #: pending, delivered or failed; None if it never reached the mail outbox.
    status: str | None
    attempts: int
    last_error: str | None
    delivered_at: float | None
    subject: str | None


def new_reply_key() -> str:
    """A fresh key for one reply form, so that sending the form twice sends one e-mail."""
    return uuid.uuid4().hex


def _sent(kind: str, item: MailItem | None, author=None, text=None, created_at=None) -> SentMail:
    return SentMail(
        kind=kind,
        author=author,
        text=text,
        created_at=created_at if created_at is not None else item.created_at,
        status=item.status if item else None,
        attempts=item.attempts if item else 0,
        last_error=item.last_error if item else None,
        delivered_at=item.delivered_at if item else None,
        subject=item.subject if item else None,
    )


def customer_mails(tickets: TicketStore, outbox: MailOutbox, reference: str) -> list[SentMail]:
    """The ticket's confirmation and replies, oldest first, each with its delivery state."""
    confirmations = [
        _sent(CONFIRMATION, item)
        for item in outbox.items(reference=reference)
        if item.kind == CONFIRMATION
    ]
    replies = [
        _sent(
            "reply",
            outbox.get(reply["mail_key"]),
            reply["author"],
            reply["text"],
            reply["created_at"],
        )
        for reply in tickets.replies(reference)
    ]
    return confirmations + replies


#: The field of a ticket history entry that is an e-mail to the customer (see ticket_history).
MAIL_ENTRY = "mail"
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def ticket_history(changes: list[dict], mails: list[SentMail]) -> list[dict]:
    """The ticket's history as its page lists it, oldest first: the team's changes
    (TicketStore.history) and every e-mail to the customer, an entry with the field MAIL_ENTRY
    and the SentMail as its value, so a reply stands between the changes made around it."""
    sent = [
        {"field": MAIL_ENTRY, "value": mail, "changed_by": mail.author,
         "changed_at": mail.created_at}
        for mail in mails
    ]
    return sorted(
        changes + sent,
        key=lambda entry: local_time(entry["changed_at"], timezone.utc) or _EARLIEST,
    )


def add_routes(
    blueprint: Blueprint,
    settings: Settings,
    tickets: TicketStore,
    outbox: MailOutbox,
    page: Callable[..., HTTPResponse],
    ticket_page: Callable[..., HTTPResponse],
    staff_only: Callable,
) -> None:
    """Serve the reply form's POST and /inbox/mail on the inbox blueprint (staff only, CSRF)."""

    @blueprint.post("/tickets/<reference:str>/reply")
    @staff_only
    async def reply_to_customer(request: Request, reference: str) -> HTTPResponse:
        text = (request.form.get("text") or "").strip()
        key = request.form.get("reply_key") or ""
        if not _REPLY_KEY.fullmatch(key):
            key = new_reply_key()
        if not text or len(text) > MAX_REPLY_LENGTH:
            return ticket_page(
                request,
                reference,
                status=422,
                reply=text[:MAX_REPLY_LENGTH],
                reply_key=key,
                error=f"A reply needs some text, at most {MAX_REPLY_LENGTH} characters.",
            )
        ticket = tickets.get(reference)
        if ticket is None:
            return ticket_page(request, reference)
        mail = agent_reply(ticket, text, key, settings.mail_from)
        # The e-mail first: a reply kept in the history must be one that is on its way. The
        # same form sent again (same key) stores neither twice.
        outbox.enqueue(mail)
        tickets.add_reply(reference, request.ctx.staff.username, text, mail.idempotency_key)
        logger.info("reply to %s queued by %s", reference, request.ctx.staff.username)
        return response.redirect(f"/inbox/tickets/{quote(reference)}?saved=reply", status=303)

    @blueprint.post("/mail/retry")
    @staff_only
    async def retry_failed_mail(request: Request) -> HTTPResponse:
        count = outbox.retry_failed()
        logger.info("%d failed e-mail(s) queued again by %s", count, request.ctx.staff.username)
        return response.redirect(f"/inbox/mail?retried={count}", status=303)

    @blueprint.get("/mail")
    @staff_only
    async def mail_page(request: Request) -> HTTPResponse:
        return page(
            "mail",
            request,
            retried=request.args.get("retried"),
            sink=settings.mail_sink,
            smtp_server=f"{settings.smtp_host}:{settings.smtp_port}",
            messages=received_messages(settings.mail_sink_dir) if settings.mail_sink else [],
            counts=outbox.counts(),
            # Refused for good, or tried and waiting for the server: what needs looking at.
            troubled=outbox.items(FAILED) + [i for i in outbox.items(PENDING) if i.attempts],
        )
