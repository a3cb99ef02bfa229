"""The response-time answer, with the latest date an answer is due."""
from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import config
from actions.business_days import answer_window, format_day


def answer_due(today: date) -> date:
    """The latest day a case written today is answered (business days, holidays skipped)."""
    _earliest, latest = answer_window(today, config.RESPONSE_BUSINESS_DAYS, config.HOLIDAY_COUNTRY)
    return latest


def response_time_message(today: date) -> str:
    """Explain the response time, naming the date by which an answer is due."""
    latest = answer_due(today)
    first, last = config.RESPONSE_BUSINESS_DAYS
    return (
        f"The support team answers new messages in the order they arrive, within {first}-{last} "
        f"business days. A case written today can expect an answer by {format_day(latest)} at "
        "the latest (weekends and public holidays don't count). Cases that go on to 2nd-line "
        "support take longer."
    )


class ActionExplainResponseTime(Action):
    """Tell the customer how fast support answers and by which date."""

    def name(self) -> str:
        return "action_explain_response_time"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=response_time_message(date.today()))
        return []
