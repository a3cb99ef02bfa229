"""Helpdesks that receive tickets, one client per helpdesk behind one interface."""
from __future__ import annotations

from typing import Any

from actions import config
from actions.helpdesk.base import DeliveryResult, Helpdesk, Outcome
from actions.helpdesk.bot_api import BotApiHelpdesk
from actions.helpdesk.freshdesk import FreshdeskHelpdesk
from actions.helpdesk.intercom import IntercomHelpdesk
from actions.helpdesk.zendesk import ZendeskHelpdesk

HELPDESKS = ("bot_api", "zendesk", "freshdesk", "intercom")


def _required(settings: Any, *names: str) -> None:
    missing = [name for name in names if not getattr(settings, name, "")]
    if missing:
        raise ValueError(
            f"helpdesk {settings.HELPDESK!r} needs these settings: "
            + ", ".join(f"IEX_{name}" for name in missing)
        )


def create_helpdesk(settings: Any = config) -> Helpdesk:
    """Build the client of the configured helpdesk (settings.HELPDESK); fail fast if incomplete."""
    kind = (getattr(settings, "HELPDESK", "") or "bot_api").strip().lower()
    timeout = settings.HELPDESK_TIMEOUT_SECONDS
    if kind == "bot_api":
        return BotApiHelpdesk(settings.TICKET_API_URL, settings.TICKET_API_TOKEN, timeout)
    if kind == "zendesk":
        _required(settings, "ZENDESK_EMAIL", "ZENDESK_API_TOKEN")
        if not settings.ZENDESK_URL:
            _required(settings, "ZENDESK_SUBDOMAIN")
        return ZendeskHelpdesk(
            settings.ZENDESK_SUBDOMAIN,
            settings.ZENDESK_EMAIL,
            settings.ZENDESK_API_TOKEN,
            timeout,
            base_url=settings.ZENDESK_URL or None,
        )
    if kind == "freshdesk":
        _required(settings, "FRESHDESK_API_KEY")
        if not settings.FRESHDESK_URL:
            _required(settings, "FRESHDESK_DOMAIN")
        return FreshdeskHelpdesk(
            settings.FRESHDESK_DOMAIN,
            settings.FRESHDESK_API_KEY,
            timeout,
            base_url=settings.FRESHDESK_URL or None,
        )
    if kind == "intercom":
        _required(settings, "INTERCOM_ACCESS_TOKEN", "INTERCOM_TICKET_TYPE_ID")
        return IntercomHelpdesk(
            settings.INTERCOM_ACCESS_TOKEN,
            settings.INTERCOM_TICKET_TYPE_ID,
            timeout,
            api_version=settings.INTERCOM_API_VERSION,
            base_url=settings.INTERCOM_URL,
        )
    raise ValueError(
        f"unknown helpdesk {kind!r}; IEX_HELPDESK must be one of {', '.join(HELPDESKS)}"
    )


__all__ = [
    "BotApiHelpdesk",
    "DeliveryResult",
    "FreshdeskHelpdesk",
    "Helpdesk",
    "IntercomHelpdesk",
    "Outcome",
    "ZendeskHelpdesk",
    "create_helpdesk",
]
