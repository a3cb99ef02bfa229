"""rasa-sdk finds the action server's guard, and a guard that cannot load stops the server."""
from __future__ import annotations

import sys

import pluggy
import pytest
from rasa_sdk.plugin import _discover_plugins, plugin_manager

import rasa_sdk_plugins


def test_rasa_sdk_registers_the_guard():
    hooks = plugin_manager().hook.attach_sanic_app_extensions.get_hookimpls()
    assert [hook.plugin.__name__ for hook in hooks] == ["rasa_sdk_plugins.action_guard"]


def test_a_guard_that_cannot_load_stops_the_action_server(monkeypatch):
    # rasa-sdk swallows ModuleNotFoundError as "no plugins"; the server must not start unguarded.
    monkeypatch.delattr(rasa_sdk_plugins, "action_guard", raising=False)
    monkeypatch.setitem(sys.modules, "rasa_sdk_plugins.action_guard", None)
    manager = pluggy.PluginManager("rasa_sdk")
    with pytest.raises(ImportError, match="guard could not be loaded"):
        _discover_plugins(manager)


class _Request:
    def __init__(self, headers: dict[str, str]):
        self.headers = headers


def test_an_empty_secret_lets_no_call_in():
    from rasa_sdk_plugins.action_guard import SECRET_HEADER, carries_secret

    assert carries_secret(_Request({SECRET_HEADER: "s3cret"}), "s3cret")
    assert not carries_secret(_Request({}), "")
    assert not carries_secret(_Request({SECRET_HEADER: ""}), "")
