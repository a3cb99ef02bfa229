"""Action server replies are checked by one validator made once, and invalid ones still fail."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import action_reply_check


@pytest.fixture
def checked_once(monkeypatch) -> RemoteAction:
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction._validate_action_result)
    action_reply_check.install()
    return RemoteAction("action_answer_policy", None)


def test_a_valid_reply_passes(checked_once):
    reply = {"events": [{"event": "slot", "name": "search_result", "value": "answer"}],
             "responses": [{"text": "Support is in writing."}]}
    assert checked_once._validate_action_result(reply) is True


def test_an_invalid_reply_fails_with_rasas_hint(checked_once):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        checked_once._validate_action_result({"events": "not a list"})


def test_the_validator_is_made_once_and_the_schema_not_checked_per_reply(checked_once,
                                                                          monkeypatch):
    validator = action_reply_check.reply_validator()
    checks = []
    monkeypatch.setattr(type(validator), "check_schema",
                        classmethod(lambda cls, schema: checks.append(schema)))
    for _reply in range(3):
        checked_once._validate_action_result({"events": [], "responses": []})
    assert action_reply_check.reply_validator() is validator and checks == []
