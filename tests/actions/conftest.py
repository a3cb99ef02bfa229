"""Fixtures of the action tests."""
from __future__ import annotations

import pytest

from actions import handoff
from mail.outbox import MailOutbox
from support_core.rate_limits import RateLimiter


@pytest.fixture(autouse=True)
def fresh_ticket_limits(monkeypatch) -> RateLimiter:
    """Every test counts tickets from zero: the limits of one test don't refuse the next one's."""
    limiter = RateLimiter()
    monkeypatch.setattr(handoff, "ticket_limiter", lambda: limiter)
    return limiter


@pytest.fixture(autouse=True)
def mail_outbox(tmp_path, monkeypatch) -> MailOutbox:
    """Confirmations go to an outbox of the test's own, never to the one in var/."""
    box = MailOutbox(tmp_path / "mail_outbox.db")
    monkeypatch.setattr(handoff, "mail_outbox", lambda: box)
    return box
