"""Zendesk Support: Tickets API, POST /api/v2/tickets.json with an agent's API token."""
from __future__ import annotations

import logging

import requests

from actions.helpdesk.base import DeliveryResult, call_helpdesk, render_text, subject, tags
from support_core.language import language_of

logger = logging.getLogger(__name__)

#: Zendesk's locale code for each language the assistant speaks (GET /api/v2/locales/{code}.json).
ZENDESK_LOCALES = {"en": "en-US", "da": "da"}


def zendesk_body(ticket: dict, locale_id: int | None = None) -> dict:
    """The documented create-ticket body: {"ticket": {subject, comment, requester, tags, ...}};
    ``locale_id`` is the requester's language, so Zendesk writes to a new requester in it."""
    customer = ticket["customer"]
    # Zendesk creates the requester when the email is new; it needs a name for that.
    requester = {
        "name": customer.get("name") or customer["email"].split("@")[0],
        "email": customer["email"],
    }
    if locale_id is not None:
        requester["locale_id"] = locale_id
    return {
        "ticket": {
            "subject": subject(ticket),
            "comment": {"body": render_text(ticket)},
            "requester": requester,
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
        base = (base_url or f"https://{subdomain}.zendesk.com").rstrip("/")
        self.url = base + "/api/v2/tickets.json"
        self.locales_url = base + "/api/v2/locales"
        self.auth = (f"{email}/token", api_token)
        self.timeout = timeout
        self.session = session or requests.Session()
        #: The account's locale id per language code; None where Zendesk refused the lookup.
        self.locale_ids: dict[str, int | None] = {}

    def deliver(self, ticket: dict) -> DeliveryResult:
        """Create the ticket; the reply is {"ticket": {"id": ...}}."""
        return call_helpdesk(
            self.session,
            "POST",
            self.url,
            body=zendesk_body(ticket, self.locale_id(language_of(ticket.get("language")))),
            headers={"Idempotency-Key": ticket["idempotency_key"], "Accept": "application/json"},
            auth=self.auth,
            timeout=self.timeout,
            remote_id=lambda reply: reply["ticket"]["id"],
        )

    def locale_id(self, language: str) -> int | None:
        """Zendesk's id of a language's locale (Show Locale), asked once per language; None, and
        the ticket goes without it, when the lookup fails (asked again next time if it may pass)."""
        if language in self.locale_ids:
            return self.locale_ids[language]
        code = ZENDESK_LOCALES[language]
        found = call_helpdesk(
            self.session,
            "GET",
            f"{self.locales_url}/{code}.json",
            headers={"Accept": "application/json"},
            auth=self.auth,
            timeout=self.timeout,
            remote_id=lambda reply: reply["locale"]["id"],
        )
        if found.delivered and found.remote_id is not None:
            self.locale_ids[language] = int(found.remote_id)
        elif not found.retryable:
            logger.warning(
                "Zendesk has no locale %s (%s); tickets go without it", code, found.for_log
            )
            self.locale_ids[language] = None
        else:
            logger.warning("Zendesk's locale %s could not be looked up: %s", code, found.for_log)
        return self.locale_ids.get(language)
