"""Helpers of the support-inbox tests: a test app, a logged-in client, a seeded tracker store."""
from __future__ import annotations

import asyncio
import re
import warnings
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache
from html.parser import HTMLParser
from itertools import count
from pathlib import Path

from sanic import Sanic

from bot import inbox, ticket_api
from bot.config import PROJECT_ROOT, Settings
from bot.inbox.staff import StaffStore
from bot.security_headers import add_security_headers
from bot.ticket_store import TicketStore
from storage.database import is_postgres
from tests.actions.helpdesk.fakes import example_ticket

TOKEN = "test-ticket-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
USERNAME = "mette@iex.dk"
PASSWORD = "correct horse battery staple"
_app_numbers = count(1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def inbox_settings(state_dir: Path, **changes) -> Settings:
    """Settings of an inbox on its own state folder, in Copenhagen time."""
    values = {"ticket_api_token": TOKEN, "inbox_secret_key": "test-secret-key", **changes}
    return replace(Settings(), state_dir=state_dir, **values)


def inbox_app(settings: Settings, **options) -> Sanic:
    """The ticket API and the inbox, as bot/app.py assembles them (options: the inbox's clock)."""
    app = Sanic(f"t_inbox_{next(_app_numbers)}")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.blueprint(ticket_api.create_blueprint(settings))
    app.blueprint(inbox.create_blueprint(settings, **options))
    add_security_headers(app, settings)
    return app


def create_staff(settings: Settings, username: str = USERNAME, password: str = PASSWORD) -> None:
    StaffStore(settings.staff_location).create(username, password)


def numbered_ticket(number: int, created_at: str, **changes) -> dict:
    """A valid ticket with its own reference and hand-off key."""
    return example_ticket(
        id=f"IEX-20261127-{number:04d}",
        idempotency_key=f"iex-test-ticket-{number:04d}",
        created_at=created_at,
        **changes,
    )


def store_tickets(settings: Settings, *tickets: dict) -> None:
    store = TicketStore(settings.ticket_location)
    for ticket in tickets:
        store.add(ticket)


class StaffClient:
    """A browser of one staff member: keeps the cookies between requests to a Sanic test app."""

    def __init__(self, app: Sanic):
        self.app = app
        self.cookies: dict[str, str] = {}

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)

    def get(self, path: str, **options):
        _, response = self.app.test_client.get(
            path, cookies=self.cookies, allow_redirects=False, **options
        )
        self._keep_cookies(response)
        return response

    def post(self, path: str, data: dict | None = None, **options):
        _, response = self.app.test_client.post(
            path, data=data or {}, cookies=self.cookies, allow_redirects=False, **options
        )
        self._keep_cookies(response)
        return response

    def log_in(self, username: str = USERNAME, password: str = PASSWORD, next_path: str = ""):
        form = self.get("/inbox/login")
        token = _LOGIN_TOKEN.search(form.text).group(1)
        return self.post(
            "/inbox/login",
            {"username": username, "password": password, "login_token": token, "next": next_path},
        )

    def csrf_token(self, path: str = "/inbox/tickets") -> str:
        """The CSRF token the inbox put into its forms for this session."""
        return _CSRF.search(self.get(path).text).group(1)


def logged_in(app: Sanic) -> StaffClient:
    client = StaffClient(app)
    reply = client.log_in()
    assert reply.status == 303, reply.text
    return client


# --- HTML inspection ---------------------------------------------------------------------------


class MarkupFinder(HTMLParser):
    """Collects what in a page could run or load something: tags, event handlers, URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self.text: list[str] = []
        self._in_textarea = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                self.urls.append(value)

    def handle_data(self, data):
        self.text.append(data)


def markup_of(page: str) -> MarkupFinder:
    finder = MarkupFinder()
    finder.feed(page)
    return finder


# --- a tracker store written by Rasa's own SQLTrackerStore -------------------------------------


def moment(text: str) -> float:
    """Unix time of an ISO 8601 UTC moment such as 2026-11-20T09:00:00Z."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()


@lru_cache(maxsize=1)
def _domain():
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Rasa's notes on slot mappings, not about this test
        return Domain.load(str(PROJECT_ROOT / "domain.yml"))


class Conversation:
    """Builds one session's events as Rasa records them, one second apart from a start moment."""

    def __init__(self, start: str):
        from rasa.shared.core.events import ActionExecuted, SessionStarted

        self.clock = moment(start)
        self.events = [
            ActionExecuted("action_session_start", timestamp=self._tick()),
            SessionStarted(timestamp=self._tick()),
            ActionExecuted("action_listen", timestamp=self._tick()),
        ]

    def _tick(self) -> float:
        self.clock += 1
        return self.clock

    def customer(self, text: str, intent: str, entities: list[dict] | None = None) -> Conversation:
        from rasa.shared.core.events import UserUttered

        self.events.append(UserUttered(
            text, intent={"name": intent, "confidence": 0.9}, entities=entities or [],
            parse_data={"intent": {"name": intent, "confidence": 0.9},
                        "entities": entities or [], "text": text},
            timestamp=self._tick(),
        ))
        return self

    def bot(self, text: str, action: str = "utter_answer", buttons: list | None = None):
        from rasa.shared.core.events import ActionExecuted, BotUttered

        self.events.append(ActionExecuted(action, timestamp=self._tick()))
        self.events.append(BotUttered(text, {"buttons": buttons}, timestamp=self._tick()))
        return self

    def slot(self, name: str, value) -> Conversation:
        from rasa.shared.core.events import SlotSet

        self.events.append(SlotSet(name, value, timestamp=self._tick()))
        return self

    def articles(self, *urls: str) -> Conversation:
        """The assistant suggests help articles (the slot holds every article shown so far)."""
        shown = [*self._articles_so_far(), *urls]
        self.bot("These help articles should cover it:\n" + "\n".join(urls),
                 action="action_give_self_help")
        return self.slot("articles_shown", shown)

    def _articles_so_far(self) -> list[str]:
        for event in reversed(self.events):
            if getattr(event, "key", None) == "articles_shown":
                return list(event.value or [])
        return []

    def new_session(self, start: str) -> Conversation:
        """Rasa starts a new session after a pause, carrying the slots over."""
        from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

        carried = {e.key: e.value for e in self.events if isinstance(e, SlotSet)}
        self.clock = moment(start)
        self.events += [
            ActionExecuted("action_session_start", timestamp=self._tick()),
            SessionStarted(timestamp=self._tick()),
            *[SlotSet(name, value, timestamp=self._tick()) for name, value in carried.items()],
            ActionExecuted("action_listen", timestamp=self._tick()),
        ]
        return self


def tracker_store(tracker: Path | str):
    """Rasa's own SQLTrackerStore on a SQLite file, or on the PostgreSQL database of a URL (as
    endpoints-scaled.yml has Rasa do)."""
    from rasa.core.tracker_store import SQLTrackerStore

    if is_postgres(tracker):
        return SQLTrackerStore(domain=_domain(), dialect="postgresql", host=tracker)
    tracker.parent.mkdir(parents=True, exist_ok=True)
    return SQLTrackerStore(domain=_domain(), dialect="sqlite", db=str(tracker))


def save_conversations(tracker: Path | str, conversations: dict[str, Conversation]) -> None:
    """Write the conversations into a tracker store (``tracker_store``) as Rasa does."""
    from rasa.shared.core.trackers import DialogueStateTracker

    store = tracker_store(tracker)

    async def save_all() -> None:
        for sender_id, conversation in conversations.items():
            tracker = DialogueStateTracker.from_events(
                sender_id, conversation.events, slots=_domain().slots
            )
            await store.save(tracker)

    asyncio.run(save_all())
    store.engine.dispose()
