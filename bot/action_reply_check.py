"""The Rasa server checks the action server's replies with one validator, built once.

Rasa 3.6 checks every reply with ``jsonschema.validate``, which first checks the schema itself
against its meta-schema and then builds a new validator: 41 % of the Rasa server's time under
load (py-spy, 20 customers). Every reply is still checked against the same schema; an invalid one
goes to Rasa's own check, which raises its ValidationError with its hint.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import validators
from rasa.core.actions.action import RemoteAction

_rasa_check = RemoteAction._validate_action_result


@cache
def reply_validator() -> Any:
    """A validator of Rasa's schema for action server replies, made once per process."""
    schema = RemoteAction.action_response_format_spec()
    return validators.validator_for(schema)(schema)


def _check_reply(action: RemoteAction, result: dict[str, Any]) -> bool:
    if reply_validator().is_valid(result):
        return True
    return _rasa_check(action, result)


def install() -> None:
    """Make every remote action of this process check replies with the one validator."""
    RemoteAction._validate_action_result = _check_reply
