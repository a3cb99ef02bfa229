"""Intercom: Tickets API, POST /tickets with a bearer access token and a pinned Intercom-Version."""
from __future__ import annotations

import requests

from actions.helpdesk.base import (
    DeliveryResult,
    call_helpdesk,
    found_remote_id,
    render_text,
    subject,
)
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


def search_body(reference: str) -> dict:
    """The documented Search Tickets body: tickets whose title contains the reference."""
    return {
        "query": {"field": "title", "operator": "~", "value": reference},
        "pagination": {"per_page": 5},
    }


def _titled(reply: dict, reference: str) -> str | None:
    # The search matches words; only a title that starts with "[reference]" is ours.
    for found in reply["tickets"]:
        title = (found.get("ticket_attributes") or {}).get("_default_title_") or ""
        if title.startswith(f"[{reference}]"):
            return found["id"]
    return None


class IntercomHelpdesk:
    """Create Intercom tickets of one ticket type; Intercom has no idempotency key, so
    find_delivered searches the reference in the titles before the outbox repeats an attempt."""

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
        self.search_url = self.url + "/search"
        self.access_token = access_token
        self.ticket_type_id = ticket_type_id
        self.api_version = api_version
        self.timeout = timeout
        self.session = session or requests.Session()

    def deliver(self, ticket: dict) -> DeliveryResult:
        """Create the ticket; the reply is the ticket object with its id."""
        return call_helpdesk(
            self.session,
            "POST",
            self.url,
            body=intercom_body(ticket, self.ticket_type_id),
            headers=self._headers(),
            timeout=self.timeout,
            remote_id=lambda reply: reply["id"],
        )

    def find_delivered(self, ticket: dict) -> DeliveryResult | None:
        """Look the ticket up by the reference in its title (POST /tickets/search)."""
        return found_remote_id(
            call_helpdesk(
                self.session,
                "POST",
                self.search_url,
                body=search_body(ticket["id"]),
                headers=self._headers(),
                timeout=self.timeout,
                remote_id=lambda reply: _titled(reply, ticket["id"]),
            )
        )

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.access_token}",
            "Intercom-Version": self.api_version,
            "Accept": "application/json",
        }
