"""The development mail sink: a real SMTP server (aiosmtpd) that delivers nowhere and keeps every
message it receives in a Maildir under the state folder, for the inbox's Mail page.

``python -m mail.sink`` is what the supervisor starts with ``make run`` while no real SMTP server
is configured (IEX_SMTP_HOST unset, or IEX_MAIL_SINK=1).
"""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox
import signal
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from bot.deployment import refuse_unsafe_production

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the sink received, as a developer reads it."""

    key: str
    to: str
    sender: str
    subject: str
    date: datetime | None
    body: str


def start_sink(host: str, port: int, maildir: Path) -> Controller:
    """Start an SMTP server on host:port in a thread of its own that stores into ``maildir``."""
    maildir.parent.mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(maildir), hostname=host, port=port)
    controller.start()
    return controller


def _read(message_file) -> EmailMessage:
    return email.message_from_binary_file(message_file, policy=email.policy.default)


def _date(message: EmailMessage) -> datetime | None:
    try:
        return message["Date"].datetime if message["Date"] else None
    except (AttributeError, TypeError, ValueError):
        return None


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def received_messages(maildir: Path) -> list[ReceivedMessage]:
    """Every message in the sink's Maildir, newest first (none while it has received none)."""
    if not maildir.exists():
        return []
    box = mailbox.Maildir(maildir, factory=_read, create=False)
    found = []
    for key, message in box.items():
        found.append(
            ReceivedMessage(
                key=key,
                to=str(message["To"] or ""),
                sender=str(message["From"] or ""),
                subject=str(message["Subject"] or ""),
                date=_date(message),
                body=_body(message),
            )
        )
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(found, key=lambda item: (item.date or oldest, item.key), reverse=True)


def main() -> None:
    """Run the sink on the configured SMTP host and port until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per SMTP command
    settings = refuse_unsafe_production("mail sink")
    stopped = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopped.set())
    controller = start_sink(settings.smtp_host, settings.smtp_port, settings.mail_sink_dir)
    logger.info(
        "development mail sink on %s:%d, keeping messages in %s (the inbox's Mail page)",
        settings.smtp_host,
        settings.smtp_port,
        settings.mail_sink_dir,
    )
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
