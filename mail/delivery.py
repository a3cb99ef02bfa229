"""Customer e-mail delivery: the mail outbox of this process and the worker that empties it.

``python -m mail.delivery`` runs the worker (the supervisor starts it beside the ticket outbox
worker); it sends every waiting message through the configured SMTP server, and a server that is
down only delays them.
"""

from __future__ import annotations

import logging
import signal
import threading
from functools import lru_cache

from actions import config
from bot.config import Settings, load_settings
from bot.deployment import refuse_unsafe_production
from bot.supervisor import STOP_TIMEOUT_SECONDS
from mail.outbox import MailOutbox
from mail.smtp import SmtpSender

logger = logging.getLogger(__name__)

#: How long a stop waits for the message being sent: less than the supervisor waits before it
#: kills the worker, so the worker ends by itself (a message cut off is sent again later).
STOP_WAIT_SECONDS = STOP_TIMEOUT_SECONDS - 5


@lru_cache(maxsize=1)
def mail_settings() -> Settings:
    """The settings of this process (the SMTP server, the sender, the mail outbox)."""
    return load_settings()


@lru_cache(maxsize=1)
def mail_outbox() -> MailOutbox:
    """The mail outbox of this process, in the configured SQLite file or PostgreSQL database."""
    settings = mail_settings()
    return MailOutbox(
        settings.mail_outbox_location, smtp_timeout_seconds=settings.smtp_timeout_seconds
    )


def run_worker() -> None:
    """Send due customer e-mails every few seconds until SIGTERM or Ctrl-C."""
    settings = refuse_unsafe_production("mail worker")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stopped = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopped.set())
    worker = mail_outbox().start_background_worker(
        SmtpSender(settings), config.OUTBOX_INTERVAL_SECONDS
    )
    logger.info(
        "sending customer e-mails from %s through %s:%d",
        mail_outbox().database,
        settings.smtp_host,
        settings.smtp_port,
    )
    stopped.wait()
    worker.stop(timeout=STOP_WAIT_SECONDS)
    logger.info("mail worker stopped; %s", mail_outbox().counts())


if __name__ == "__main__":
    run_worker()
