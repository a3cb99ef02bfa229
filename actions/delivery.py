"""Ticket delivery: the outbox the actions write to, and the worker process that empties it.

``python -m actions.delivery`` runs the worker (the supervisor starts it beside the action
server). Tickets stay in the outbox until the helpdesk takes them, so a helpdesk that is down, or
a restart of any process, delays a ticket but never loses it.
"""
from __future__ import annotations

import logging
import signal
import threading
from functools import lru_cache

from actions import config
from actions.helpdesk import create_helpdesk
from actions.outbox import Outbox
from bot.deployment import refuse_unsafe_production

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def outbox() -> Outbox:
    """The outbox of this process, on the configured SQLite file."""
    return Outbox(config.OUTBOX_DB)


def main() -> None:
    """Deliver due tickets every few seconds until SIGTERM or Ctrl-C."""
    refuse_unsafe_production("outbox worker")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    helpdesk = create_helpdesk()
    stopped = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopped.set())
    worker = outbox().start_background_worker(helpdesk, config.OUTBOX_INTERVAL_SECONDS)
    logger.info("delivering tickets from %s to %s", config.OUTBOX_DB, helpdesk.name)
    stopped.wait()
    worker.stop(timeout=config.HELPDESK_TIMEOUT_SECONDS + 5)
    logger.info("outbox worker stopped; %s", outbox().counts())


if __name__ == "__main__":
    main()
