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
ARTICLE_MIN_SCORE = _float("IEX_ARTICLE_MIN_SCORE", 0.1)

#: Country whose public holidays are skipped when counting business days.
HOLIDAY_COUNTRY = os.environ.get("IEX_HOLIDAY_COUNTRY", "DK")

#: Business days within which support answers a new message (earliest, latest).
RESPONSE_BUSINESS_DAYS = (1, 3)

#: Timeout in seconds for every call to a helpdesk.
HELPDESK_TIMEOUT_SECONDS = _float("IEX_HELPDESK_TIMEOUT", 10.0)
