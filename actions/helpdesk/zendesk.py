"""Zendesk Support: Tickets API, POST /api/v2/tickets.json with an agent's API token."""
from __future__ import annotations

import requests

from actions.helpdesk.base import DeliveryResult, call_helpdesk, render_text, subject, tags


def zendesk_body(ticket: dict) -> dict:
    """The documented create-ticket body: {"ticket": {subject, comment, requester, tags, ...}}."""
    customer = ticket["customer"]
    return {
        "ticket": {
            "subject": subject(ticket),
            "comment": {"body": render_text(ticket)},
            # Zendesk creates the requester when the email is new; it needs a name for that.
            "requester": {
                "name": customer.get("name") or customer["email"].split("@")[0],
                "email": customer["email"],
            },
            "tags": tags(ticket),
            "external_id": ticket["id"],
        }
    }


class ZendeskHelpdesk:
    """Create Zendesk tickets; Zendesk honours the Idempotency-Key header on ticket creation."""

    name = "zendesk"

    def __init__(
        self,
        subdomain: str,
        email: str,
        api_token: str,
        timeout: float,
        base_url: str | None = None,
        session: requests.Session | None = None,
    ):
        base = base_url or f"https://{subdomain}.zendesk.com"
        self.url = base.rstrip("/") + "/api/v2/tickets.json"
        self.auth = (f"{email}/token", api_token)
        self.timeout = timeout
        self.session = session or requests.Session()

    def deliver(self, ticket: dict) -> DeliveryResult:
        """Create the ticket; the reply is {"ticket": {"id": ...}}."""
        return call_helpdesk(
            self.session,
            "POST",
            self.url,
            body=zendesk_body(ticket),
            headers={"Idempotency-Key": ticket["idempotency_key"], "Accept": "application/json"},
            auth=self.auth,
            timeout=self.timeout,
            remote_id=lambda reply: reply["ticket"]["id"],
        )
