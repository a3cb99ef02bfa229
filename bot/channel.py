"""The website chat's own channel: Rasa's REST channel with the checks a public chat needs.

Every message is checked before the NLU sees it: a signed conversation id that the server
issued (``POST /webhooks/chat/conversations``), a readable JSON body no larger than
``max_request_bytes``, a message no longer than ``max_message_length``, and rate limits per
conversation and per client address. Card numbers, security codes, keys and passwords are
removed before Rasa sees the message (so no store or log ever holds them) and the customer is
told. An action that fails (action server down or erroring) answers 503 with ``retry: true``
instead of an empty reply. Refusals are JSON ``{"error", "message", "retry"}``, the message in
the wording of ``domain.yml``.

``credentials.yml`` names this class as the only channel.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.nlg.interpolator import interpolate_text
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import Settings, load_settings
from bot.conversation_ids import client_key, is_issued, new_conversation_id
from bot.request_values import is_storable_text
from nlu_components.language_detector import PAGE_LANGUAGE
from support_core.language import (
    DEFAULT_LANGUAGE,
    LANGUAGE_SLOT,
    detect,
    language_code,
    preferred_language,
    variation_in,
)
from support_core.rate_limits import RateLimiter
from support_core.redaction import redact

logger = logging.getLogger(__name__)

#: Sanic's own ceiling for every request to the Rasa server (its default is 100 MB); the chat
#: channel refuses far smaller bodies itself, with a customer-facing answer.
SERVER_MAX_BODY_BYTES = 1024 * 1024
#: What Rasa logs when it drops an action's events because the action failed.
_ACTION_FAILURE_LOG = "Encountered an exception while running action"
#: The actions that failed while the current message was handled (None outside a message).
_failed_actions: ContextVar[list[str] | None] = ContextVar("failed_actions", default=None)


class _FailedActionRecorder(logging.Handler):
    """Notes, for the message being handled, that Rasa lost a failed action's events."""

    def emit(self, record: logging.LogRecord) -> None:
        failures = _failed_actions.get()
        if failures is not None and record.getMessage().startswith(_ACTION_FAILURE_LOG):
            failures.append(record.getMessage())


_processor_logger = logging.getLogger("rasa.core.processor")
if not any(isinstance(handler, _FailedActionRecorder) for handler in _processor_logger.handlers):
    _processor_logger.addHandler(_FailedActionRecorder(level=logging.ERROR))


@dataclass
class Refusal(Exception):
    """A message the channel does not pass on: HTTP status, error code and the response to show."""

    status: int
    error: str
    response_name: str
    values: dict[str, Any] = field(default_factory=dict)
    retry: bool = False
    retry_after_seconds: int = 0


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: tuple[str, ...]) -> str:
    """The client: the TCP peer, or the last untrusted hop when a trusted proxy forwarded it."""
    if peer not in trusted_proxies or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer


def list_of_kinds(kinds: tuple[str, ...], said: dict[str, str] | None = None) -> str:
    """``card number, security code and password``: the kinds of data removed, for the notice,
    in the words of ``said`` (utter_sensitive_data_removed_words)."""
    said = said or {}
    names = [said.get(kind, kind) for kind in kinds]
    joined = f" {said.get('and', 'and')} "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joined + names[-1]


def read_body(body: bytes, max_request_bytes: int) -> dict[str, Any]:
    """The JSON object of a chat request, or a refusal for one that is too large or unreadable."""
    if len(body) > max_request_bytes:
        raise Refusal(413, "message_too_long", "utter_message_too_long")
    payload = json_of(body)
    if (not isinstance(payload, dict) or not isinstance(payload.get("message"), str)
            or not is_storable_text(payload["message"])):
        raise Refusal(400, "message_unreadable", "utter_message_unreadable")
    return payload


def json_of(body: bytes) -> Any:
    """The JSON value of a request body; None when it is not JSON."""
    try:
        return json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[... nesting
        return None


class SupportChannel(RestInput):
    """REST input with signed conversation ids, size and rate limits, redaction and retries."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.limiter = RateLimiter(self.settings.rate_limit_storage)

    @classmethod
    def name(cls) -> str:
        return "chat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SupportChannel:
        return cls()

    def check(self, request: Request) -> tuple[str, str, dict[str, Any]]:
        """The conversation id, the message and its metadata, or a refusal saying why not.

        The page's language (``language``, sent with a conversation's first message) goes on as
        the metadata ``page_language``; refusals are worded in the message's language or that.
        """
        settings = self.settings
        payload = read_body(request.body, settings.max_request_bytes)
        sender, text = payload.get("sender"), payload["message"]
        hint = language_code(payload.get("language"))
        request.ctx.chat_message = (text[:settings.max_message_length], hint)
        if not is_issued(sender, settings.conversation_secret):
            raise Refusal(401, "conversation_invalid", "utter_conversation_expired")
        if len(text) > settings.max_message_length:
            raise Refusal(413, "message_too_long", "utter_message_too_long")
        client = self.client_of(request)
        self.count({
            f"conversation:{sender}": settings.message_rate_per_conversation,
            f"address:{client}": settings.message_rate_per_address,
        })
        return sender, text, {"client": client, **({PAGE_LANGUAGE: hint} if hint else {})}

    def client_of(self, request: Request) -> str:
        """The pseudonym of the request's client address (the limits count it, nothing keeps it)."""
        address = client_address(
            request.ip, request.headers.get("x-forwarded-for"), self.settings.trusted_proxies
        )
        return client_key(address, self.settings.conversation_secret)

    def count(self, limits: dict[str, str]) -> None:
        """Count one request against each key's rate; refuse it if any limit is reached."""
        decision = self.limiter.hit_all(limits)
        if not decision.allowed:
            raise Refusal(429, "too_many_messages", "utter_too_many_messages",
                          {"retry_after": decision.retry_after_seconds}, retry=True,
                          retry_after_seconds=decision.retry_after_seconds)

    def refusal_response(self, request: Request, refusal: Refusal) -> HTTPResponse:
        values = {"max_length": self.settings.max_message_length, **refusal.values}
        body = {"error": refusal.error, "retry": refusal.retry,
                "message": domain_text(request, refusal.response_name, values)}
        headers = {}
        if refusal.retry_after_seconds:
            body["retry_after"] = refusal.retry_after_seconds
            headers["Retry-After"] = str(refusal.retry_after_seconds)
        return response.json(body, status=refusal.status, headers=headers)

    async def answer(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str, text: str, metadata: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Pass the (redacted) message to Rasa and collect the reply; refuse if an action failed."""
        collector = CollectingOutputChannel()
        failures: list[str] = []
        token = _failed_actions.set(failures)
        try:
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                             metadata=metadata))
        except asyncio.CancelledError:
            raise  # the client went away: nobody is waiting for a 503
        except Exception:
            logger.exception("chat.message.failure", extra={"sender": sender})
            failures.append("the message could not be handled")
        finally:
            _failed_actions.reset(token)
        if failures:
            raise Refusal(503, "assistant_unavailable", "utter_assistant_unavailable", retry=True)
        return collector.messages

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """``GET /``, ``POST /conversations`` (a new signed id) and ``POST /webhook``."""
        chat = Blueprint("support_chat", __name__)

        @chat.listener("before_server_start")
        async def limit_body_size(app, _loop) -> None:
            app.config.REQUEST_MAX_SIZE = SERVER_MAX_BODY_BYTES

        @chat.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @chat.route("/conversations", methods=["POST"])
        async def new_conversation(request: Request) -> HTTPResponse:
            # Counted per address: a fresh id for every message must not dodge the limits.
            request.ctx.chat_message = ("", page_language_of(request))
            try:
                self.count({f"new:{self.client_of(request)}":
                            self.settings.conversation_rate_per_address})
            except Refusal as refusal:
                return self.refusal_response(request, refusal)
            conversation_id = new_conversation_id(self.settings.conversation_secret)
            return response.json({"conversation_id": conversation_id}, status=201)

        @chat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender = None
            try:
                sender, text, metadata = self.check(request)
                redaction = redact(text)
                messages = await self.answer(on_new_message, sender, redaction.text, metadata)
            except Refusal as refusal:
                if sender:  # a conversation under way: its own language, if the message has none
                    request.ctx.conversation_language = await stored_language(request, sender)
                return self.refusal_response(request, refusal)
            if redaction.changed:
                request.ctx.conversation_language = await stored_language(request, sender)
                said = domain_variation(request, "utter_sensitive_data_removed_words")
                notice = domain_text(request, "utter_sensitive_data_removed", {
                    "removed": list_of_kinds(redaction.kinds, said.get("custom"))})
                messages = [{"recipient_id": sender, "text": notice}, *messages]
            return response.json(messages)

        return chat


def page_language_of(request: Request) -> str:
    """The language a request for a new conversation id is answered in: the page's, as the
    widget sends it ({"language": "da"}), else the browser's Accept-Language."""
    payload = json_of(request.body)
    hint = language_code(payload.get("language")) if isinstance(payload, dict) else None
    return hint or preferred_language(request.headers.get("accept-language", ""))


async def stored_language(request: Request, sender: str) -> str | None:
    """The language slot of a conversation Rasa already holds (None for a new or unknown one)."""
    store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
    tracker = await store.retrieve(sender) if store else None
    return language_code(tracker.get_slot(LANGUAGE_SLOT)) if tracker else None


def domain_variation(request: Request, response_name: str) -> dict[str, Any]:
    """A response of the loaded model's domain in the request's language: that of the message
    when it tells one, else the conversation's, else the page's; the English one when it has none
    in that language; {} if unknown."""
    agent = getattr(request.app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    variations = (domain.responses.get(response_name) if domain else None) or []
    text, hint = getattr(request.ctx, "chat_message", ("", None))
    language = (detect(text) or getattr(request.ctx, "conversation_language", None)
                or language_code(hint) or DEFAULT_LANGUAGE)
    return variation_in(variations, language)


def domain_text(request: Request, response_name: str, values: dict[str, Any]) -> str | None:
    """The text of domain_variation, filled in with ``values``."""
    text = domain_variation(request, response_name).get("text")
    return interpolate_text(text, values) if text else None
