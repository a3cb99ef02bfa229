"""Intercom: Tickets API, POST /tickets with a bearer access token and a pinned Intercom-Version."""
from __future__ import annotations

import requests

from actions.helpdesk.base import DeliveryResult, post_ticket, render_text, subject
from tickets import parse_timestamp


def intercom_body(ticket: dict, ticket_type_id: str) -> dict:
    """The documented create-ticket body: type, the contact by email, default title/description."""
    created = parse_timestamp(ticket["created_at"])
    return {
        "ticket_type_id": ticket_type_id,
        "contacts": [{"email": ticket["customer"]["email"]}],
        "ticket_attributes": {
            "_default_title_": subject(ticket),
            "_default_description_": render_text(ticket),
        },
        # When the customer handed the case over, even if delivery happens later.
        "created_at": int(created.timestamp()),
    }


class IntercomHelpdesk:
    """Create Intercom tickets of one ticket type (Intercom has no idempotency key)."""

    name = "intercom"

    def __init__(
        self,
        access_token: str,
        ticket_type_id: str,
        timeout: float,
        api_version: str = "2.14",
        base_url: str = "https://api.intercom.io",
        session: requests.Session | None = None,
    ):
        self.url = base_url.rstrip("/") + "/tickets"
        self.access_token = access_token
        self.ticket_type_id = ticket_type_id
        self.api_version = api_version
        self.timeout = timeout
        self.session = session or requests.Session()

    def deliver(self, ticket: dict) -> DeliveryResult:
        """Create the ticket; the reply is the ticket object with its id."""
        return post_ticket(
            self.session,
            self.url,
            intercom_body(ticket, self.ticket_type_id),
            headers={
                "Authorization": f"Bearer {self.access_token}",
                "Intercom-Version": self.api_version,
                "Accept": "application/json",
            },
            timeout=self.timeout,
            remote_id=lambda reply: reply["id"],
        )
