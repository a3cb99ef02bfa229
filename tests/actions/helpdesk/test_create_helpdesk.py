"""Choosing the helpdesk client from the settings."""
from __future__ import annotations

import importlib
import os
from types import SimpleNamespace

import pytest

from actions import config
from actions.helpdesk import (
    BotApiHelpdesk,
    FreshdeskHelpdesk,
    IntercomHelpdesk,
    ZendeskHelpdesk,
    create_helpdesk,
)


def settings(**changes) -> SimpleNamespace:
    """The current configuration with some settings changed."""
    names = [name for name in dir(config) if name.isupper()]
    return SimpleNamespace(**{name: getattr(config, name) for name in names} | changes)


@pytest.fixture
def default_config(monkeypatch):
    """actions.config as read from an environment without any IEX_ variable."""
    for name in list(os.environ):
        if name.startswith("IEX_"):
            monkeypatch.delenv(name)
    yield importlib.reload(config)
    monkeypatch.undo()
    importlib.reload(config)


def test_fresh_clone_delivers_to_the_web_apps_ticket_api(default_config):
    helpdesk = create_helpdesk(default_config)

    assert isinstance(helpdesk, BotApiHelpdesk)
    assert helpdesk.url == "http://localhost:8080/api/tickets"
    assert helpdesk.token == "dev-ticket-token"
    assert helpdesk.timeout == default_config.HELPDESK_TIMEOUT_SECONDS


def test_zendesk_is_chosen_by_setting():
    helpdesk = create_helpdesk(
        settings(
            HELPDESK="zendesk",
            ZENDESK_SUBDOMAIN="iex",
            ZENDESK_EMAIL="agent@iex.dk",
            ZENDESK_API_TOKEN="abc",
            ZENDESK_URL="",
        )
    )

    assert isinstance(helpdesk, ZendeskHelpdesk)
    assert helpdesk.url == "https://iex.zendesk.com/api/v2/tickets.json"
    assert helpdesk.auth == ("agent@iex.dk/token", "abc")


def test_freshdesk_is_chosen_by_setting_with_a_base_url_override():
    helpdesk = create_helpdesk(
        settings(
            HELPDESK="Freshdesk",
            FRESHDESK_DOMAIN="",
            FRESHDESK_API_KEY="key",
            FRESHDESK_URL="http://127.0.0.1:9999",
        )
    )

    assert isinstance(helpdesk, FreshdeskHelpdesk)
    assert helpdesk.url == "http://127.0.0.1:9999/api/v2/tickets"


def test_intercom_is_chosen_by_setting():
    helpdesk = create_helpdesk(
        settings(
            HELPDESK="intercom",
            INTERCOM_ACCESS_TOKEN="tok",
            INTERCOM_TICKET_TYPE_ID="1234",
            INTERCOM_API_VERSION="2.14",
            INTERCOM_URL="https://api.intercom.io",
        )
    )

    assert isinstance(helpdesk, IntercomHelpdesk)
    assert helpdesk.ticket_type_id == "1234"
    assert helpdesk.url == "https://api.intercom.io/tickets"


def test_missing_credentials_are_named_by_their_environment_variable():
    incomplete = settings(
        HELPDESK="zendesk", ZENDESK_SUBDOMAIN="iex", ZENDESK_EMAIL="a@b.dk", ZENDESK_API_TOKEN=""
    )

    with pytest.raises(ValueError, match="IEX_ZENDESK_API_TOKEN"):
        create_helpdesk(incomplete)


def test_unknown_helpdesk_is_refused():
    with pytest.raises(ValueError, match="bot_api, zendesk, freshdesk, intercom"):
        create_helpdesk(settings(HELPDESK="jira"))
