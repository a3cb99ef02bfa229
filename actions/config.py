"""Settings of the action server, read from the environment in this one place.

Every setting has a default that works on a fresh clone (``make run``); the README lists them.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


#: Folder with runtime state (outbox, logs); git-ignored.
STATE_DIR = _path("IEX_STATE_DIR", PROJECT_ROOT / "var")

#: Help articles, one Markdown file per article, re-read when they change.
ARTICLES_DIR = _path("IEX_ARTICLES_DIR", PROJECT_ROOT / "data" / "articles")

#: Lowest relevance (0-1) a help article needs to be suggested; below it nothing is suggested.
ARTICLE_MIN_SCORE = _float("IEX_ARTICLE_MIN_SCORE", 0.08)
#: A message the NLU took for off-topic shows an article only at this relevance or above.
ARTICLE_MIN_SCORE_OFF_TOPIC = _float("IEX_ARTICLE_MIN_SCORE_OFF_TOPIC", 0.25)
#: A policy answer also shows the help article that best fits the question from this relevance.
ARTICLE_MIN_SCORE_BESIDE_POLICY = _float("IEX_ARTICLE_MIN_SCORE_BESIDE_POLICY", 0.2)
#: Details given before the problem ("tripletex", "we use Shopify and Dinero") show the articles
#: about them from this relevance; an order number alone finds nothing that clear.
ARTICLE_MIN_SCORE_DETAILS = _float("IEX_ARTICLE_MIN_SCORE_DETAILS", 0.2)

#: Country whose public holidays are skipped when counting business days.
HOLIDAY_COUNTRY = os.environ.get("IEX_HOLIDAY_COUNTRY", "DK")

#: Business days within which support answers a new message (earliest, latest).
RESPONSE_BUSINESS_DAYS = (1, 3)

#: Timeout in seconds for every call to a helpdesk.
HELPDESK_TIMEOUT_SECONDS = _float("IEX_HELPDESK_TIMEOUT", 10.0)


# --- Ticket hand-off ----------------------------------------------------------------------------

#: Which helpdesk receives tickets: bot_api (the web app's own inbox), zendesk, freshdesk, intercom.
HELPDESK = os.environ.get("IEX_HELPDESK", "bot_api")

#: The web app's ticket API (bot_api): base URL and the bearer token it expects
#: (the same IEX_TICKET_API_TOKEN the web app reads).
TICKET_API_URL = os.environ.get("IEX_TICKET_API_URL", "http://localhost:8080")
TICKET_API_TOKEN = os.environ.get("IEX_TICKET_API_TOKEN", "dev-ticket-token")

#: Zendesk: https://{subdomain}.zendesk.com, API token of an agent ({email}/token:{api_token}).
#: IEX_ZENDESK_URL overrides the base URL (tests, proxies).
ZENDESK_SUBDOMAIN = os.environ.get("IEX_ZENDESK_SUBDOMAIN", "")
ZENDESK_EMAIL = os.environ.get("IEX_ZENDESK_EMAIL", "")
ZENDESK_API_TOKEN = os.environ.get("IEX_ZENDESK_API_TOKEN", "")
ZENDESK_URL = os.environ.get("IEX_ZENDESK_URL", "")

#: Freshdesk: https://{domain}.freshdesk.com with an API key; IEX_FRESHDESK_URL overrides the URL.
FRESHDESK_DOMAIN = os.environ.get("IEX_FRESHDESK_DOMAIN", "")
FRESHDESK_API_KEY = os.environ.get("IEX_FRESHDESK_API_KEY", "")
FRESHDESK_URL = os.environ.get("IEX_FRESHDESK_URL", "")

#: Intercom: access token, the id of the ticket type to create, and the API version to pin.
INTERCOM_ACCESS_TOKEN = os.environ.get("IEX_INTERCOM_ACCESS_TOKEN", "")
INTERCOM_TICKET_TYPE_ID = os.environ.get("IEX_INTERCOM_TICKET_TYPE_ID", "")
INTERCOM_API_VERSION = os.environ.get("IEX_INTERCOM_API_VERSION", "2.14")
INTERCOM_URL = os.environ.get("IEX_INTERCOM_URL", "https://api.intercom.io")

#: Outbox: tickets are written here before any delivery attempt and kept after it.
OUTBOX_DB = _path("IEX_OUTBOX_DB", STATE_DIR / "outbox.db")
#: The PostgreSQL database (postgresql://user:pw@host:port/db) of every store that several
#: processes share, as bot/config.py reads it too: here the outbox, instead of OUTBOX_DB; empty:
#: the SQLite file.
DATABASE_URL = os.environ.get("IEX_DATABASE_URL", "")
#: Where the ticket outbox is: the PostgreSQL database if one is set, else the SQLite file.
OUTBOX_LOCATION: str | Path = DATABASE_URL or OUTBOX_DB

#: Seconds between the outbox worker's delivery rounds.
OUTBOX_INTERVAL_SECONDS = _float("IEX_OUTBOX_INTERVAL", 2.0)

#: Retry delays after a failed delivery: base * 2^(attempt-1) seconds, never more than the cap.
RETRY_BASE_SECONDS = _float("IEX_RETRY_BASE", 5.0)
RETRY_CAP_SECONDS = _float("IEX_RETRY_CAP", 900.0)


# --- Rate limits --------------------------------------------------------------------------------

#: Where the rate-limit counts live (the same IEX_RATE_LIMIT_STORAGE the chat channel reads).
RATE_LIMIT_STORAGE = os.environ.get("IEX_RATE_LIMIT_STORAGE", "memory://")
#: Tickets one client address may create, and one conversation; more are refused and kept.
TICKET_RATE_PER_ADDRESS = os.environ.get("IEX_RATE_LIMIT_TICKETS_ADDRESS", "20/hour")
TICKET_RATE_PER_CONVERSATION = os.environ.get("IEX_RATE_LIMIT_TICKETS_CONVERSATION", "5/hour")
