"""How a customer's client talks to each bot over HTTP, on one shared aiohttp session.

Ours: the website chat's channel exactly as the widget uses it (bot/static/widget.js): a
signed conversation id from ``/webhooks/chat/conversations``, then ``/webhooks/chat/webhook``
with the page's language on the first message. The starter bot: Rasa's REST channel with a
conversation id the client makes up.
"""
from __future__ import annotations

import uuid

import aiohttp

from evaluation.client import CHAT_PATH

#: Rasa's stock REST channel, which the starter bot's credentials.yml opens.
REST_PATH = "/webhooks/rest/webhook"
PAGE_LANGUAGE = "en"
TIMEOUT = aiohttp.ClientTimeout(total=60)


class ChannelError(Exception):
    """A message that got no answer: an HTTP error, a refusal or an empty reply."""


async def _post(session: aiohttp.ClientSession, url: str, body: dict) -> object:
    async with session.post(url, json=body, timeout=TIMEOUT) as reply:
        if not 200 <= reply.status < 300:  # a new conversation id is 201 Created
            raise ChannelError(f"{reply.status} from {url}: {(await reply.text())[:200]}")
        return await reply.json()


def _answered(text: str, replies: list[dict]) -> list[dict]:
    """The replies to a message; a message left without any is a failure."""
    if not replies:
        raise ChannelError(f"no answer to {text!r}")
    return replies


class SupportChat:
    """The assistant's website chat channel, as the widget talks to it."""

    def __init__(self, rasa_url: str):
        self.rasa_url = rasa_url.rstrip("/")

    async def open(self, session: aiohttp.ClientSession) -> str:
        """A new conversation id, issued and signed by the channel."""
        reply = await _post(session, f"{self.rasa_url}{CHAT_PATH}/conversations",
                            {"language": PAGE_LANGUAGE})
        return reply["conversation_id"]

    async def send(self, session: aiohttp.ClientSession, conversation: str, text: str,
                   first: bool) -> list[dict]:
        body = {"sender": conversation, "message": text}
        if first:
            body["language"] = PAGE_LANGUAGE
        return _answered(text, await _post(session, f"{self.rasa_url}{CHAT_PATH}/webhook", body))


class RestChannel:
    """Rasa's stock REST channel (the starter bot's)."""

    def __init__(self, rasa_url: str):
        self.rasa_url = rasa_url.rstrip("/")

    async def open(self, session: aiohttp.ClientSession) -> str:
        return uuid.uuid4().hex

    async def send(self, session: aiohttp.ClientSession, conversation: str, text: str,
                   first: bool) -> list[dict]:
        replies = await _post(session, f"{self.rasa_url}{REST_PATH}",
                              {"sender": conversation, "message": text})
        return _answered(text, replies)


#: What the load generator needs of a channel.
Channel = SupportChat | RestChannel
