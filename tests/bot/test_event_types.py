"""Stored events get the class Rasa's own lookup gives them, from a table instead of a walk."""
from __future__ import annotations

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events

from bot import event_types


@pytest.fixture
def looked_up_in_the_table(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    rasa_lookup = Event.resolve_by_type
    event_types.install()
    return rasa_lookup


def test_every_event_type_gets_the_class_rasa_gives(looked_up_in_the_table):
    names = {event_class.type_name for event_class in event_types.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is looked_up_in_the_table(name)


def test_unknown_names_are_answered_as_rasa_answers_them(looked_up_in_the_table):
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_defined_later_is_found(looked_up_in_the_table):
    Event.resolve_by_type("user")  # the table is built

    class LateEvent(SlotSet):
        type_name = "late_event_for_this_test"

    assert Event.resolve_by_type("late_event_for_this_test") is LateEvent


def test_loading_a_conversation_does_not_walk_the_classes_per_event(
    looked_up_in_the_table, monkeypatch
):
    events = [UserUttered("order 10023 is missing").as_dict(), SlotSet("language", "da").as_dict()]
    Event.resolve_by_type("user")
    walks = []
    original_walk = rasa.shared.utils.common.all_subclasses

    def counted_walk(cls):
        walks.append(cls)
        return original_walk(cls)

    # Rasa's lookup walks through the module's function, the table through its own name.
    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", counted_walk)
    monkeypatch.setattr(event_types, "all_subclasses", counted_walk)

    loaded = deserialise_events(events * 50)

    assert [type(event) for event in loaded[:2]] == [UserUttered, SlotSet]
    assert len(loaded) == 100 and walks == []
