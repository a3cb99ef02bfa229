"""Freshdesk: API v2, POST /api/v2/tickets with the API key as basic-auth user and X as password."""
from __future__ import annotations

import html

import requests

from actions.helpdesk.base import (
    DeliveryResult,
    call_helpdesk,
    found_remote_id,
    render_text,
    subject,
    tags,
)

#: Documented Freshdesk values: status 2 = Open, priority 1 = Low, source 7 = Chat.
STATUS_OPEN = 2
PRIORITY_LOW = 1
SOURCE_CHAT = 7


def reference_query(reference: str) -> str:
    """The Filter Tickets query for the ticket tagged with a reference (quoted as documented)."""
    return f"\"tag:'{reference}'\""


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
        # The reference as a tag too: the lookup before a repeated attempt filters by it.
        "tags": tags(ticket) + [ticket["id"]],
    }
    if customer.get("name"):
        body["name"] = customer["name"]
    return body


def _tagged(reply: dict, reference: str) -> int | None:
    # The filter matched the tag; a result is ours if it carries the tag or our subject.
    for found in reply["results"]:
        tagged = reference.lower() in (tag.lower() for tag in found.get("tags") or [])
        if tagged or (found.get("subject") or "").startswith(f"[{reference}]"):
            return found["id"]
    return None


class FreshdeskHelpdesk:
    """Create Freshdesk tickets; Freshdesk has no idempotency key, so find_delivered looks a
    ticket up by its reference tag before the outbox repeats an attempt."""

    name = "freshdesk"

    def __init__(
        self,
        domain: str,
        api_key: str,
        timeout: float,
        base_url: str | None = None,
        session: requests.Session | None = None,
    ):
        base = (base_url or f"https://{domain}.freshdesk.com").rstrip("/")
        self.url = base + "/api/v2/tickets"
        self.search_url = base + "/api/v2/search/tickets"
        self.auth = (api_key, "X")
        self.timeout = timeout
        self.session = session or requests.Session()

    def deliver(self, ticket: dict) -> DeliveryResult:
        """Create the ticket; the reply (201) is the ticket with its numeric id."""
        return call_helpdesk(
            self.session,
            "POST",
            self.url,
            body=freshdesk_body(ticket),
            headers={"Accept": "application/json"},
            auth=self.auth,
            timeout=self.timeout,
            remote_id=lambda reply: reply["id"],
        )

    def find_delivered(self, ticket: dict) -> DeliveryResult | None:
        """Look the ticket up by its reference tag (Filter Tickets: GET /api/v2/search/tickets).

        Freshdesk indexes a new ticket for this search within minutes, not at once; a retry
        sooner than that after a lost reply can still create a second ticket.
        """
        reference = ticket["id"]
        return found_remote_id(
            call_helpdesk(
                self.session,
                "GET",
                self.search_url,
                params={"query": reference_query(reference)},
                headers={"Accept": "application/json"},
                auth=self.auth,
                timeout=self.timeout,
                remote_id=lambda reply: _tagged(reply, reference),
            )
        )
