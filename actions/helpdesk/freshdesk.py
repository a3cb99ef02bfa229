"""Freshdesk: API v2, POST /api/v2/tickets with the API key as basic-auth user and X as password."""
from __future__ import annotations

import html

import requests

from actions.helpdesk.base import DeliveryResult, post_ticket, render_text, subject, tags

#: Documented Freshdesk values: status 2 = Open, priority 1 = Low, source 7 = Chat.
STATUS_OPEN = 2
PRIORITY_LOW = 1
SOURCE_CHAT = 7


def freshdesk_body(ticket: dict) -> dict:
    """The documented create-ticket body; the description is HTML, so the text is escaped."""
    customer = ticket["customer"]
    body = {
        "email": customer["email"],
        "subject": subject(ticket),
        "description": html.escape(render_text(ticket)).replace("\n", "<br>\n"),
        "status": STATUS_OPEN,
        # Cases are handled in the order received, urgent or not (support guidelines).
        "priority": PRIORITY_LOW,
        "source": SOURCE_CHAT,
        "tags": tags(ticket),
    }
    if customer.get("name"):
        body["name"] = customer["name"]
    return body


class FreshdeskHelpdesk:
    """Create Freshdesk tickets (Freshdesk has no idempotency key; the outbox avoids repeats)."""

    name = "freshdesk"

    def __init__(
        self,
        domain: str,
        api_key: str,
        timeout: float,
        base_url: str | None = None,
        session: requests.Session | None = None,
    ):
        base = base_url or f"https://{domain}.freshdesk.com"
        self.url = base.rstrip("/") + "/api/v2/tickets"
        self.auth = (api_key, "X")
        self.timeout = timeout
        self.session = session or requests.Session()

    def deliver(self, ticket: dict) -> DeliveryResult:
        """Create the ticket; the reply (201) is the ticket with its numeric id."""
        return post_ticket(
            self.session,
            self.url,
            freshdesk_body(ticket),
            headers={"Accept": "application/json"},
            auth=self.auth,
            timeout=self.timeout,
            remote_id=lambda reply: reply["id"],
        )
