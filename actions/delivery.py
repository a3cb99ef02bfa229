"""Ticket delivery: the outbox the actions write to, the worker process that empties it, and the
commands for tickets that could not be delivered.

``python -m actions.delivery`` runs the worker (the supervisor starts it beside the action
server). Tickets stay in the outbox until the helpdesk takes them, so a helpdesk that is down, or
a restart of any process, delays a ticket but never loses it.

``python -m actions.delivery failed`` lists the tickets the helpdesk refused (and says whether
delivery is paused); ``python -m actions.delivery retry REFERENCE`` or ``retry --all`` queues them
again once the cause is fixed (a paused delivery then probes at once).
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import datetime, timezone
from functools import lru_cache

from actions import config
from actions.helpdesk import create_helpdesk
from actions.outbox import FAILED, Outbox
from bot.deployment import refuse_unsafe_production

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def outbox() -> Outbox:
    """The outbox of this process, in the configured SQLite file or PostgreSQL database."""
    return Outbox(config.OUTBOX_LOCATION)


def run_worker() -> None:
    """Deliver due tickets every few seconds until SIGTERM or Ctrl-C."""
    refuse_unsafe_production("outbox worker")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    helpdesk = create_helpdesk()
    stopped = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopped.set())
    worker = outbox().start_background_worker(helpdesk, config.OUTBOX_INTERVAL_SECONDS)
    logger.info("delivering tickets from %s to %s", outbox().database, helpdesk.name)
    stopped.wait()
    worker.stop(timeout=config.HELPDESK_TIMEOUT_SECONDS + 5)
    logger.info("outbox worker stopped; %s", outbox().counts())


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_delivery(box: Outbox) -> str:
    """The pause, if any, and every failed ticket with its error, as lines for a terminal."""
    status = box.status()
    lines = []
    if status.pause:
        pause = status.pause
        lines += [
            f"Delivery to {pause.helpdesk} is PAUSED since {_when(pause.paused_at)}:"
            f" {pause.reason}",
            f"  {status.pending} ticket(s) waiting; probe {pause.probes + 1} at"
            f" {_when(pause.next_probe_at)} (retry --all probes at once)",
        ]
    else:
        lines.append(f"Delivery is running; {status.pending} ticket(s) waiting.")
    failed = box.items(FAILED)
    lines.append(f"{len(failed)} failed ticket(s)" + (":" if failed else "."))
    for item in failed:
        lines.append(
            f"  {item.reference}  {_when(item.created_at)}  {item.ticket['customer']['email']}"
            f"  attempts {item.attempts}  {item.last_error or ''}"
        )
    return "\n".join(lines)


def main(arguments: list[str] | None = None) -> int:
    """Run the worker (no command, or ``run``), list failed tickets, or queue them again."""
    parser = argparse.ArgumentParser(prog="python -m actions.delivery", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="deliver tickets until stopped (the default)")
    commands.add_parser("failed", help="list the failed tickets and whether delivery is paused")
    retry = commands.add_parser("retry", help="queue failed tickets for delivery again")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("reference", nargs="?", help="the ticket's reference, e.g. IEX-...")
    which.add_argument("--all", action="store_true", help="every failed ticket")
    chosen = parser.parse_args(arguments)
    if chosen.command in (None, "run"):
        run_worker()
        return 0
    box = outbox()
    if chosen.command == "failed":
        print(describe_delivery(box))
        return 0
    if chosen.all:
        print(f"{box.retry_failed()} failed ticket(s) queued for delivery again.")
        if box.pause():
            print("Delivery is paused; the worker probes the helpdesk at its next round.")
        return 0
    if not box.retry(chosen.reference):
        print(f"There is no failed ticket {chosen.reference}.", file=sys.stderr)
        return 1
    print(f"{chosen.reference} queued for delivery again.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
