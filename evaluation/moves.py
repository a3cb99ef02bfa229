"""What the assistant did in reply to one message, read from the tracker as named "moves".

A move names an observable step ("self_help", "policy:phone_support", "ask:contact_email"), so the
evaluation sets say what should happen without depending on the wording of any response.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from support_core.policy import POLICY_TOPICS

#: Responses that are one move each.
RESPONSE_MOVES = {
    "utter_greet": "greet",
    "utter_goodbye": "goodbye",
    "utter_you_are_welcome": "welcome",
    "utter_iamabot": "bot",
    "utter_out_of_scope": "out_of_scope",
    "utter_english_only": "other_language",
    "utter_language_switched": "language_switched",
    "utter_another_article": "another_article",
    "utter_no_more_articles": "another_article",
    **{topic.response: f"policy:{topic.name}" for topic in POLICY_TOPICS},
}
#: Actions whose run is one move.
ACTION_MOVES = {
    "action_give_self_help": "self_help",
    "action_start_handoff": "handoff",
    "action_handle_misunderstanding": "not_understood",
    "action_cancel_ticket": "ticket_cancelled",
}
#: Responses that tell the customer an answer to the form's question was not usable.
REPROMPTS = frozenset({
    "utter_invalid_email", "utter_email_needed", "utter_systems_needed",
    "utter_description_too_short", "utter_invalid_example", "utter_confirm_or_change",
})
#: "Anything else?" both acknowledges an "ok" and follows a declined offer.
ANYTHING_ELSE = "utter_anything_else"
GLAD_IT_HELPED = "utter_glad_it_helped"


def last_turn(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events after the latest customer message: the assistant's reply to it."""
    for position in range(len(events) - 1, -1, -1):
        if events[position].get("event") == "user":
            return list(events[position + 1:])
    return list(events)


def shown_article_urls(turn: Sequence[Mapping[str, Any]]) -> list[str]:
    """The help-article links the reply showed as cards, in order."""
    urls: list[str] = []
    for event in turn:
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom") or {}
        if isinstance(custom, Mapping) and custom.get("type") == "articles":
            urls += [item.get("url") for item in custom.get("articles") or [] if item.get("url")]
    return urls


def responses_of_turn(turn: Sequence[Mapping[str, Any]]) -> list[str | None]:
    """The responses (``utter_*``) the reply uttered, in order; None for a text of no response."""
    return [
        (event.get("metadata") or {}).get("utter_action")
        for event in turn if event.get("event") == "bot"
    ]


def _requested_slot(turn: Sequence[Mapping[str, Any]]) -> tuple[bool, str | None]:
    value, set_here = None, False
    for event in turn:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            value, set_here = event.get("value"), True
    return set_here, value


def moves_of_turn(
    turn: Sequence[Mapping[str, Any]], asked_before: str | None = None
) -> list[str]:
    """Every move of one reply. ``asked_before`` is the form's question before the message."""
    moves: list[str] = []
    responses = responses_of_turn(turn)
    actions = [event.get("name") for event in turn if event.get("event") == "action"]
    for action in actions:
        if action in ACTION_MOVES:
            moves.append(ACTION_MOVES[action])
        if action == "action_create_ticket" and "utter_ticket_created" in responses:
            moves.append("ticket_created")
    for response in responses:
        if response in RESPONSE_MOVES:
            moves.append(RESPONSE_MOVES[response])
        elif response == ANYTHING_ELSE:
            moves += ["acknowledge", "declined"]
        elif response == GLAD_IT_HELPED:
            # "ok" to "did that solve it?" is taken as yes: solved, and acknowledged.
            moves += ["resolved", "acknowledge"]
    # An answer with articles; the articles of self-help answer a problem, not a question.
    if shown_article_urls(turn) and "self_help" not in moves:
        moves.append("article")
    set_here, requested = _requested_slot(turn)
    if set_here and requested:
        reprompted = requested == asked_before and any(item in REPROMPTS for item in responses)
        moves.append(f"{'reprompt' if reprompted else 'ask'}:{requested}")
    elif asked_before and any(item in REPROMPTS for item in responses):
        moves.append(f"reprompt:{asked_before}")
    return list(dict.fromkeys(moves))


def requested_slot_after(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The form's open question at the end of these events, if a form is active."""
    value = None
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            value = event.get("value")
        elif event.get("event") == "active_loop" and not event.get("name"):
            value = None
    return value


def ticket_fields(events: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The case as it was when the last ticket was created (slot values), or None."""
    slots: dict[str, Any] = {}
    found = None
    for event in events:
        if event.get("event") == "slot":
            slots[event.get("name")] = event.get("value")
        elif event.get("event") == "action" and event.get("name") == "action_create_ticket":
            found = {
                "email": slots.get("contact_email"),
                "systems": slots.get("ticket_systems") or [],
                "order_ids": slots.get("order_ids") or [],
                "product_ids": slots.get("product_ids") or [],
                "other": slots.get("other_references") or [],
            }
    return found


def bot_texts(turn: Sequence[Mapping[str, Any]]) -> list[str]:
    """The texts of the assistant's messages in the reply."""
    return [event["text"] for event in turn if event.get("event") == "bot" and event.get("text")]
