"""Shared fixtures: free ports, the real Rasa and action servers for end-to-end tests, and a real
PostgreSQL server for the stores."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.config import PROJECT_ROOT, Settings
from bot.supervisor import Service, private_settings, start_in_background
from evaluation.client import ONE_CLIENT_ENVIRONMENT, ChatClient
from evaluation.moves import last_turn, moves_of_turn, responses_of_turn, shown_article_urls
from tests.postgres import empty_tables, postgres_server

MODELS_DIR = PROJECT_ROOT / "models"
SCREENSHOTS_DIR = PROJECT_ROOT / "reports" / "screenshots"
#: Debian's chromium, as `make browser` installs it; Playwright downloads no browser of its own.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGUMENTS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def new_customer() -> str:
    """A customer name no other test uses; the assistant maps it to a conversation of its own."""
    return f"customer-{uuid.uuid4().hex[:12]}"


@dataclass
class Reply:
    """The assistant's reply to one message, as the tracker records it."""

    moves: list[str]
    responses: list[str | None]
    actions: list[str]
    article_urls: list[str]


class Assistant:
    """The running assistant, spoken to over the chat channel as a customer's browser does.

    Tests name their customers freely (``new_customer()``); each name gets a conversation id
    that the channel issued, when it is first used.
    """

    def __init__(self, settings: Settings, services: list[Service]):
        self.settings = settings
        self.services = services
        self.chat = ChatClient(settings.rasa_url, settings.rasa_auth_token)
        self._conversation_ids: dict[str, str] = {}

    def conversation_id(self, sender: str) -> str:
        """The issued conversation id that stands for the customer named ``sender``."""
        if sender not in self._conversation_ids:
            self._conversation_ids[sender] = self.chat.new_sender()
        return self._conversation_ids[sender]

    def say(self, text: str, sender: str) -> list[dict]:
        return self.chat.say(self.conversation_id(sender), text)

    def did(self, text: str, sender: str) -> Reply:
        """What the assistant did in reply to ``text``: its moves, responses and actions."""
        self.say(text, sender)
        turn = last_turn(self.tracker(sender)["events"])
        return Reply(
            moves=moves_of_turn(turn),
            responses=responses_of_turn(turn),
            actions=[event["name"] for event in turn if event.get("event") == "action"],
            article_urls=shown_article_urls(turn),
        )

    def texts(self, text: str, sender: str) -> str:
        """Everything the assistant answered to ``text``, joined into one string."""
        return "\n".join(message.get("text", "") for message in self.say(text, sender))

    def service(self, name: str) -> Service:
        return next(service for service in self.services if service.name == name)

    def tickets(self) -> list[dict]:
        """The tickets the web app's ticket API holds, newest first."""
        reply = requests.get(
            f"http://localhost:{self.settings.port}/api/tickets",
            headers={"Authorization": f"Bearer {self.settings.ticket_api_token}"},
            timeout=30,
        )
        reply.raise_for_status()
        return reply.json()["tickets"]

    def tracker(self, sender: str) -> dict:
        return self.chat.tracker(self.conversation_id(sender))


def start_assistant(settings: Settings, environment: dict | None = None) -> list[Service]:
    """Start every service of ``make run`` on the settings' ports and wait until all answer."""
    if not any(MODELS_DIR.glob("*.tar.gz")):
        pytest.fail("No trained model in models/: run `make train` (make test does it first).")
    return start_in_background(settings, environment)


#: Quick retries, so a test that takes the helpdesk down and up again need not wait long.
TEST_RETRY_ENVIRONMENT = {
    "IEX_RETRY_BASE": "0.5", "IEX_RETRY_CAP": "2", "IEX_OUTBOX_INTERVAL": "0.5",
}
#: The tests are one client holding many conversations at once (see ONE_CLIENT_ENVIRONMENT).
TEST_ENVIRONMENT = {**TEST_RETRY_ENVIRONMENT, **ONE_CLIENT_ENVIRONMENT}


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> Assistant:
    """The whole assistant (Rasa, actions, outbox worker, web app) with the trained model."""
    settings = private_settings(tmp_path_factory.mktemp("assistant-state"))
    services = start_assistant(settings, TEST_ENVIRONMENT)
    yield Assistant(settings, services)
    for service in reversed(services):
        service.stop()


#: A second copy for tests that stop a service or run into the chat's limits: low limits, and
#: 127.0.0.1 a trusted proxy, so a test names its client address in X-Forwarded-For.
SPARE_ENVIRONMENT = {
    **TEST_RETRY_ENVIRONMENT,
    "IEX_TRUSTED_PROXIES": "127.0.0.1",
    "IEX_RATE_LIMIT_CONVERSATION": "10/minute",
    "IEX_RATE_LIMIT_ADDRESS": "60/minute",
    "IEX_RATE_LIMIT_TICKETS_ADDRESS": "1/hour",
    "IEX_RATE_LIMIT_NEW_CONVERSATIONS": "200/minute",
}


@pytest.fixture(scope="session")
def spare_assistant(tmp_path_factory) -> Assistant:
    """A private copy of the whole assistant (SPARE_ENVIRONMENT); tests leave it running."""
    settings = private_settings(tmp_path_factory.mktemp("spare-assistant-state"))
    services = start_assistant(settings, SPARE_ENVIRONMENT)
    yield Assistant(settings, services)
    for service in reversed(services):
        service.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: Playwright's sync API keeps an event loop running in this
    thread for the rest of the session, and Sanic's in-process test client cannot start one of
    its own after that ("Cannot run the event loop while another loop is running")."""
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright, shared by the browser tests."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("No /usr/bin/chromium: install Debian's chromium (make browser).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        yield browser
        browser.close()


def inbox_session(settings: Settings, username: str, password: str) -> requests.Session:
    """A staff member logged in to a running web app's inbox through its login form."""
    browser = requests.Session()
    base = f"http://localhost:{settings.port}"
    form = browser.get(f"{base}/inbox/login", timeout=30)
    token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
    reply = browser.post(f"{base}/inbox/login", timeout=30, allow_redirects=False, data={
        "username": username, "password": password, "login_token": token,
        "next": "/inbox/tickets",
    })
    assert reply.status_code == 303, reply.text
    return browser


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a database on a real PostgreSQL server, one server for the whole session."""
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """IEX_DATABASE_URL of the stores under test: empty (SQLite files in the state folder), then
    an emptied PostgreSQL database."""
    if request.param == "sqlite":
        return ""
    url = request.getfixturevalue("postgres_url")
    empty_tables(url)
    return url


@pytest.fixture
def store_location(database_url, tmp_path):
    """Where a store under test keeps its tables: a new SQLite file, then an emptied PostgreSQL
    database."""
    return database_url or tmp_path / "store.db"
