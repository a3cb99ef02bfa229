"""The embedded helpdesk: the web app's own ticket API (POST /api/tickets in bot/ticket_api.py)."""
from __future__ import annotations

import requests

from actions.helpdesk.base import DeliveryResult, call_helpdesk


class BotApiHelpdesk:
    """Deliver tickets to the web app's inbox; the Idempotency-Key makes a repeat harmless."""

    name = "bot_api"

    def __init__(
        self, base_url: str, token: str, timeout: float, session: requests.Session | None = None
    ):
        self.url = base_url.rstrip("/") + "/api/tickets"
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def deliver(self, ticket: dict) -> DeliveryResult:
        """POST the ticket JSON as it is; the API answers with the stored ticket."""
        return call_helpdesk(
            self.session,
            "POST",
            self.url,
            body=ticket,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": ticket["idempotency_key"],
                "Accept": "application/json",
            },
            timeout=self.timeout,
            remote_id=lambda reply: reply["id"],
        )
