"""Customer text in Rasa's structured log events never reaches a log handler."""
from __future__ import annotations

import json
import logging

from bot import log_privacy
from bot.log_privacy import LEFT_OUT, without_customer_text

#: A line Rasa 3.6 logged while a customer's case was summarised (shortened): the traceback's
#: locals held every slot value, the first message included.
INTERPOLATION_ERROR = {
    "response": "/correct_field{\"ticket_field\": \"email\"}",
    "placeholder_key": "\"ticket_field\": \"email\"",
    "event": "interpolator.interpolate.text",
    "level": "error",
    "exception": [{
        "exc_type": "KeyError", "exc_value": "'\"ticket_field\": \"email\"'",
        "frames": [{
            "filename": "rasa/core/nlg/interpolator.py", "lineno": 30,
            "locals": {"values": "{'help_topic': 'zebra order 10023 was not transf'+1727"},
        }],
    }],
}


def test_the_slot_values_of_a_traceback_are_left_out():
    cleaned = json.loads(without_customer_text(json.dumps(INTERPOLATION_ERROR)))
    assert "zebra" not in json.dumps(cleaned)
    assert cleaned["response"] == LEFT_OUT
    assert cleaned["event"] == "interpolator.interpolate.text"
    assert cleaned["exception"][0]["exc_type"] == "KeyError"
    assert cleaned["exception"][0]["frames"][0]["lineno"] == 30


def test_the_message_of_a_failed_rest_call_is_left_out():
    event = {"text": "zebra my password is hunter2", "event": "rest.message.received.failure"}
    cleaned = json.loads(without_customer_text(json.dumps(event)))
    assert cleaned == {"text": LEFT_OUT, "event": "rest.message.received.failure"}


def test_plain_log_lines_are_kept_as_they_are():
    for line in ["Starting Rasa server on http://127.0.0.1:5005", "{not json", "[1, 2]", "{}"]:
        assert without_customer_text(line) == line


def test_installed_every_record_of_the_process_leaves_customer_text_out():
    class Collect(logging.Handler):
        def __init__(self):
            super().__init__()
            self.lines = []

        def emit(self, record):
            self.lines.append(record.getMessage())

    original = logging.getLogRecordFactory()
    collect = Collect()
    logger = logging.getLogger("tests.log_privacy")
    logger.addHandler(collect)
    try:
        log_privacy.install()
        log_privacy.install()
        logger.error(json.dumps(INTERPOLATION_ERROR))
        logger.error("ticket %s delivered", "IEX-1")
    finally:
        logging.setLogRecordFactory(original)
        logger.removeHandler(collect)
    assert "zebra" not in collect.lines[0] and LEFT_OUT in collect.lines[0]
    assert collect.lines[1] == "ticket IEX-1 delivered"
