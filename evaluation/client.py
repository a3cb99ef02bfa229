"""Talk to a running assistant as the website chat does, and read back what it did."""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import requests

from bot.supervisor import private_settings, start_in_background, stop_all, stop_on_terminate

T = TypeVar("T")
R = TypeVar("R")
TIMEOUT_SECONDS = 60
#: How often a message refused as too fast (429) is sent again, after the wait the server names.
RATE_LIMITED_ATTEMPTS = 5
#: Where the Rasa server serves the website chat's channel (bot/channel.py, named "chat").
CHAT_PATH = "/webhooks/chat"
#: An evaluation is one client holding hundreds of conversations a minute: lift the limits per
#: client address (those per conversation stay), which would refuse it as a flood.
ONE_CLIENT_ENVIRONMENT = {
    "IEX_RATE_LIMIT_ADDRESS": "100000/minute", "IEX_RATE_LIMIT_TICKETS_ADDRESS": "100000/hour",
    "IEX_RATE_LIMIT_NEW_CONVERSATIONS": "100000/minute",
}
#: Conversations an evaluation holds at once. Rasa answers one while another waits for its action
#: server or tracker store, so a few at a time finish sooner than one by one; each conversation
#: is still one customer, message after message.
CONVERSATIONS_AT_ONCE = 4


def each_conversation(converse: Callable[[T], R], items: Iterable[T],
                      at_once: int = CONVERSATIONS_AT_ONCE) -> list[R]:
    """``converse(item)`` for every item, a few conversations at once; results in item order."""
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return list(pool.map(converse, items))


class ChatClient:
    """The chat channel for messages, and the token-protected tracker API for what happened.

    ``language`` is the page language the widget would send with a conversation's first message.
    """

    def __init__(self, rasa_url: str, token: str, language: str | None = None):
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token
        self.language = language
        self._started: set[str] = set()

    def in_language(self, language: str | None) -> ChatClient:
        """The same assistant, talked to from a page in ``language``."""
        return ChatClient(self.rasa_url, self.token, language)

    def new_sender(self) -> str:
        """A new conversation id, issued and signed by the chat channel."""
        reply = requests.post(f"{self.rasa_url}{CHAT_PATH}/conversations", timeout=TIMEOUT_SECONDS)
        reply.raise_for_status()
        return reply.json()["conversation_id"]

    def say(self, sender: str, text: str) -> list[dict]:
        """Send one message and return the replies; told to wait (429), wait and send it again."""
        body = {"sender": sender, "message": text}
        if self.language and sender not in self._started:
            body["language"] = self.language
        for _attempt in range(RATE_LIMITED_ATTEMPTS):
            reply = requests.post(
                f"{self.rasa_url}{CHAT_PATH}/webhook", json=body, timeout=TIMEOUT_SECONDS,
            )
            if reply.status_code != 429:
                break
            time.sleep(float(reply.headers.get("Retry-After", 1)))
        reply.raise_for_status()
        self._started.add(sender)
        return reply.json()

    def tracker(self, sender: str) -> dict:
        reply = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token}, timeout=TIMEOUT_SECONDS,
        )
        reply.raise_for_status()
        return reply.json()

    def events(self, sender: str) -> list[dict]:
        return self.tracker(sender)["events"]


@contextmanager
def private_assistant() -> Iterator[ChatClient]:
    """Start a private copy of the whole assistant on free ports, with state in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="iex-eval-") as state:
        settings = private_settings(Path(state))
        services = start_in_background(settings, ONE_CLIENT_ENVIRONMENT)
        try:
            yield ChatClient(settings.rasa_url, settings.rasa_auth_token)
        finally:
            stop_all(services)


def run_from_command_line(
    description: str,
    evaluate: Callable[[ChatClient, Path], dict],
    print_report: Callable[[dict], None],
    default_set: Path,
    default_report: Path,
) -> int:
    """The command line of an evaluation: run it on a set, write the JSON report, print it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--set", type=Path, default=default_set)
    parser.add_argument("--out", type=Path, default=default_report)
    parser.add_argument("--rasa-url", help="a running assistant (default: start a private one)")
    parser.add_argument("--token", default="dev-rasa-token")
    arguments = parser.parse_args()
    stop_on_terminate()
    if arguments.rasa_url:
        report = evaluate(ChatClient(arguments.rasa_url, arguments.token), arguments.set)
    else:
        with private_assistant() as client:
            report = evaluate(client, arguments.set)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_report(report)
    print(f"report: {arguments.out}")
    return 0
