"""Extensions of the action server, found by rasa-sdk under this fixed package name.

rasa-sdk imports ``rasa_sdk_plugins`` from the working directory (``rasa run actions`` puts it on
the path; the supervisor starts it in the project root) and calls ``init_hooks``.
"""
from __future__ import annotations

import pluggy


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Register the action server's guard."""
    try:
        from rasa_sdk_plugins import action_guard
    except ModuleNotFoundError as error:
        # rasa-sdk takes ModuleNotFoundError for "no plugins" and would start without the guard.
        raise ImportError(f"the action server's guard could not be loaded: {error}") from error
    manager.register(action_guard)
