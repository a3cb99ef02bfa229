"""The Rasa server finds a stored event's class by its type name in a table, not a class walk.

Rasa 3.6 turns every event it loads from the tracker store into an object with
``Event.resolve_by_type``, which walks all subclasses of ``Event`` (recursively, checking each for
abstractness) for every single event: about 0.2 ms per event, on every message, for every event
of the conversation so far. The table gives the same class (the first subclass with that type
name, in Rasa's order); a name it does not know is looked up Rasa's way, after the table is
rebuilt in case a new subclass was imported since.
"""
from __future__ import annotations

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_rasa_resolve = Event.resolve_by_type
_classes: dict[str, type[Event]] = {}


def _build_table() -> None:
    _classes.clear()
    for event_class in all_subclasses(Event):
        _classes.setdefault(event_class.type_name, event_class)


def resolve_by_type(
    type_name: str, default: type[Event] | None = None
) -> type[Event] | None:
    """The event class of ``type_name``, as Rasa's ``Event.resolve_by_type`` gives it."""
    found = _classes.get(type_name)
    if found is not None:
        return found
    _build_table()
    return _classes.get(type_name) or _rasa_resolve(type_name, default)


def install() -> None:
    """Make this process's Rasa resolve event types through the table."""
    Event.resolve_by_type = staticmethod(resolve_by_type)
