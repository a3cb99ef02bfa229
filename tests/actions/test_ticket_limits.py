"""Ticket creation is limited per client and per conversation; a refused case is kept."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import config, handoff
from actions.handoff import ActionCreateTicket, client_of
from actions.outbox import Outbox
from tests.actions.test_handoff import CONFIRMED_CASE, CONVERSATION, tracker
from tests.conversation_builders import responses_of, slots_of, user_event

SEND_IT_FROM_CLIENT = {**user_event("/affirm", "affirm"), "metadata": {"client": "client-key-1"}}


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    box = Outbox(tmp_path / "outbox.db")
    monkeypatch.setattr(handoff, "outbox", lambda: box)
    return box


def send(events, outbox) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    result = ActionCreateTicket().run(dispatcher, tracker(CONFIRMED_CASE, events), {})
    return dispatcher.messages, result


def test_the_client_is_read_from_the_latest_message():
    assert client_of([*CONVERSATION, SEND_IT_FROM_CLIENT]) == "client-key-1"
    assert client_of(CONVERSATION) is None


def test_a_ticket_over_the_client_limit_is_refused_and_the_case_kept(outbox, monkeypatch):
    monkeypatch.setattr(config, "TICKET_RATE_PER_ADDRESS", "1/hour")
    events = [*CONVERSATION, SEND_IT_FROM_CLIENT]
    first, _ = send(events, outbox)
    assert "utter_ticket_created" in responses_of(first)

    refused, result = send(events, outbox)
    assert responses_of(refused) == ["utter_ticket_rate_limited"]
    slots = slots_of(result)
    # Only the confirmation is asked again; every other field of the case stays as it was.
    assert slots == {"confirmation": None, "requested_slot": "confirmation"}
    assert {"event": "active_loop", "name": "ticket_form"} in [
        {"event": event["event"], "name": event.get("name")} for event in result
    ]
    assert result[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


def test_a_flood_from_one_conversation_is_refused_even_without_a_client(outbox):
    created = 0
    for _ in range(20):
        messages, _ = send(CONVERSATION, outbox)
        created += "utter_ticket_created" in responses_of(messages)
    assert created == int(config.TICKET_RATE_PER_CONVERSATION.split("/")[0])
