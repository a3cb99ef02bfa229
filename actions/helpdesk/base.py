"""What every helpdesk client shares: the interface, delivery outcomes and the one HTTP call."""
from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Protocol

import requests

from support_core.language import LANGUAGE_NAMES, language_of


class Outcome(str, Enum):
    """How a delivery attempt ended."""

    DELIVERED = "delivered"
    #: Worth trying again later: helpdesk unreachable, timed out, rate limited (429) or 5xx.
    RETRYABLE = "retryable"
    #: Trying again will not help: the helpdesk refused this ticket (400, 409, 413, 422 ...).
    PERMANENT = "permanent"
    #: The helpdesk refuses every ticket until someone fixes our side: credentials (401/403),
    #: account (402), endpoint (404/405/410, a redirect, a malformed URL). Delivery pauses.
    MISCONFIGURED = "misconfigured"


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one delivery attempt, with what the outbox needs to act on it."""

    outcome: Outcome
    #: The helpdesk's id of the created ticket (delivered only; None if it sent none).
    remote_id: str | None = None
    error: str | None = None
    #: Seconds the helpdesk asked us to wait (Retry-After), if it said.
    retry_after: float | None = None
    status_code: int | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome is Outcome.DELIVERED

    @property
    def retryable(self) -> bool:
        return self.outcome is Outcome.RETRYABLE

    @property
    def permanent(self) -> bool:
        return self.outcome is Outcome.PERMANENT

    @property
    def misconfigured(self) -> bool:
        return self.outcome is Outcome.MISCONFIGURED

    @property
    def for_log(self) -> str:
        """The error without the helpdesk's answer, which may quote the ticket back (for logs)."""
        if self.status_code is not None:
            return f"HTTP {self.status_code}"
        return self.error or "no error"


class Helpdesk(Protocol):
    """A place tickets are delivered to; ``deliver`` never raises for HTTP or network failures.

    A helpdesk without an idempotency key also has ``find_delivered(ticket)``: the outbox calls
    it before repeating an attempt that may have reached the helpdesk. It returns None when the
    ticket is not there, a delivered result with the remote id when it is, and a failed result
    when the lookup itself failed (then nothing is created in this attempt).
    """

    name: str

    def deliver(self, ticket: dict) -> DeliveryResult:
        """Create the ticket in the helpdesk and say how it went."""
        ...


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Read a Retry-After header (seconds or an HTTP date) as seconds from now, never negative."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def call_helpdesk(
    session: requests.Session,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
    remote_id: Callable[[Any], Any],
    body: Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> DeliveryResult:
    """Send one JSON request and classify the answer; ``remote_id`` picks the id from the reply."""
    try:
        response = session.request(
            method,
            url,
            json=body,
            params=params,
            headers=dict(headers),
            auth=auth,
            timeout=timeout,
            allow_redirects=False,
        )
    except (requests.ConnectionError, requests.Timeout) as error:
        return DeliveryResult(Outcome.RETRYABLE, error=_describe(error))
    except requests.RequestException as error:
        # A malformed URL and the like: configuration, not a passing fault.
        return DeliveryResult(Outcome.MISCONFIGURED, error=_describe(error))
    return classify_response(response, remote_id)


def found_remote_id(lookup: DeliveryResult) -> DeliveryResult | None:
    """A lookup's answer as find_delivered returns it: None for "not there", else the result."""
    if lookup.delivered and lookup.remote_id is None:
        return None
    if lookup.delivered:
        return lookup
    error = f"looking the ticket up: {lookup.error}"
    if lookup.permanent:
        # The helpdesk refused the search, not the ticket: try again later, never fail it.
        return replace(lookup, outcome=Outcome.RETRYABLE, error=error)
    return replace(lookup, error=error)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


#: Answers that say our side is set up wrong, whatever the ticket: credentials (401, 403), the
#: account (402) or the endpoint (404, 405, 410). A redirect (3xx, not followed) is one too.
MISCONFIGURED_STATUSES = frozenset({401, 402, 403, 404, 405, 410})


def classify_response(
    response: requests.Response, remote_id: Callable[[Any], Any]
) -> DeliveryResult:
    """Map an HTTP answer to an outcome: 2xx delivered; 408/429/5xx retryable; refused
    credentials, account or endpoint (3xx, 401-405, 410) misconfigured; other 4xx permanent."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            found = remote_id(response.json())
        except (ValueError, KeyError, TypeError, AttributeError):
            found = None
        return DeliveryResult(
            Outcome.DELIVERED, remote_id=None if found is None else str(found), status_code=status
        )
    error = f"HTTP {status}: {response.text[:500].strip()}"
    if status in (408, 429) or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return DeliveryResult(
            Outcome.RETRYABLE, error=error, retry_after=retry_after, status_code=status
        )
    if status < 400 or status in MISCONFIGURED_STATUSES:
        return DeliveryResult(Outcome.MISCONFIGURED, error=error, status_code=status)
    # 400, 409, 413, 422 ...: the helpdesk read this ticket and refused it; other tickets may pass.
    return DeliveryResult(Outcome.PERMANENT, error=error, status_code=status)


# ---------------------------------------------------------------------------------------------
# How a ticket reads in a helpdesk that has no fields of its own for our data


def subject(ticket: Mapping[str, Any]) -> str:
    """Subject line: the summary with the customer's reference in front."""
    return f"[{ticket['id']}] {ticket['summary']}"


def tags(ticket: Mapping[str, Any]) -> list[str]:
    """Helpdesk tags: the assistant, the category, the systems, and whether urgency was asked."""
    found = ["iex_assistant", f"category_{ticket['category']}"]
    found += [
        "system_" + re.sub(r"[^a-z0-9]+", "_", system.lower()).strip("_")
        for system in ticket.get("systems", [])
    ]
    if ticket.get("urgent_requested"):
        found.append("urgent_requested")
    found.append(f"language_{language_of(ticket.get('language'))}")
    unique: list[str] = []
    for tag in found:
        if tag and tag not in unique and tag != "system_":
            unique.append(tag)
    return unique


def _yes_no_unknown(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def render_text(ticket: Mapping[str, Any]) -> str:
    """The whole ticket as plain text for a helpdesk's description or first comment."""
    examples = ticket["examples"]
    self_help = ticket["self_help"]
    customer = ticket["customer"]
    lines = [
        ticket["description"],
        "",
        "---",
        f"Reference: {ticket['id']}",
        f"Customer: {customer.get('name') + ' ' if customer.get('name') else ''}"
        f"<{customer['email']}>",
        f"Category: {ticket['category']}",
        f"Systems: {', '.join(ticket['systems']) or '-'}",
        f"Order numbers: {', '.join(examples['order_ids']) or '-'}",
        f"Product numbers: {', '.join(examples['product_ids']) or '-'}",
    ]
    if examples["other"]:
        lines.append(f"Other examples: {'; '.join(examples['other'])}")
    lines += [
        f"Log checked: {_yes_no_unknown(self_help['log_checked'])}"
        + (f" (status: {self_help['log_status']})" if self_help.get("log_status") else ""),
        f"Articles shown: {', '.join(self_help['articles_shown']) or '-'}",
        f"Urgent handling requested: {'yes' if ticket['urgent_requested'] else 'no'}",
        f"Language: {LANGUAGE_NAMES[language_of(ticket.get('language'))]}",
        f"Conversation: {ticket['conversation_id']}, created {ticket['created_at']}",
    ]
    if ticket["transcript"]:
        lines += ["", "Transcript:"]
        for message in ticket["transcript"]:
            lines.append(f"[{message['timestamp']}] {message['sender']}: {message['text']}")
    return "\n".join(lines)
