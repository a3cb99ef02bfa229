"""Customer text kept out of the Rasa server's log.

Rasa 3.6 writes its structured events as JSON log lines. Some carry the customer's message, slot
values or tracker events, and an error's traceback lists every local variable with its value
(all slot values, for instance, when a response could not be filled in). ``install()`` makes
every log record of the process drop those values before any handler writes it; ``python -m
bot.log_privacy <rasa arguments>`` runs Rasa's command line with it installed (and the faster
check of action server replies, bot/action_reply_check.py, and event type lookup,
bot/event_types.py), which is how the supervisor starts Rasa.
"""
from __future__ import annotations

import json
import logging
import os
import sys

from bot.deployment import refuse_unsafe_production

#: Keys of Rasa's structured events whose values may hold customer text: the ones Rasa itself
#: anonymises (``_anonymizer`` in rasa/utils/log_utils.py) and the slot values of an interpolation.
CUSTOMER_TEXT_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
    "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
    "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
    "entity", "token_text", "user_message", "json_message", "values",
})
LEFT_OUT = "[not logged]"


def without_customer_text(message: str) -> str:
    """The log message, with the customer text of a structured (JSON) event left out."""
    if not message.startswith("{"):
        return message
    try:
        event = json.loads(message)
    except ValueError:
        return message
    if not isinstance(event, dict):
        return message
    for key in CUSTOMER_TEXT_KEYS & event.keys():
        event[key] = LEFT_OUT
    exceptions = event.get("exception")
    for exception in exceptions if isinstance(exceptions, list) else []:
        frames = exception.get("frames") if isinstance(exception, dict) else None
        for frame in frames if isinstance(frames, list) else []:
            if isinstance(frame, dict):
                frame.pop("locals", None)
    return json.dumps(event)


def install() -> None:
    """Make every log record this process creates from now on leave customer text out."""
    create_record = logging.getLogRecordFactory()
    if getattr(create_record, "leaves_out_customer_text", False):
        return

    def create_record_without_customer_text(*arguments, **keywords) -> logging.LogRecord:
        record = create_record(*arguments, **keywords)
        if isinstance(record.msg, str) and not record.args:
            record.msg = without_customer_text(record.msg)
        return record

    create_record_without_customer_text.leaves_out_customer_text = True
    logging.setLogRecordFactory(create_record_without_customer_text)


def main() -> None:
    """Run Rasa's command line (``rasa run ...``) with customer text kept out of its log."""
    refuse_unsafe_production("Rasa server")
    # Rasa writes its console format (which the filter cannot read) when stderr is a terminal,
    # as under `make shell`; JSON lines everywhere keep the filter working.
    os.environ["FORCE_JSON_LOGGING"] = "1"
    install()
    from rasa.__main__ import main as rasa_main  # after install(): Rasa logs while it loads

    from bot import action_reply_check, event_types

    action_reply_check.install()
    event_types.install()

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
