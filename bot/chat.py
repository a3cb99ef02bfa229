"""The chat page: a plain page where a person chats with the assistant over Rasa's REST channel."""
from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, Request, response

from bot.config import Settings
from bot.templating import render

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_blueprint(settings: Settings) -> Blueprint:
    """Serve the chat page at /, its script under /static, and a health check."""
    blueprint = Blueprint("chat")
    blueprint.static("/static", str(STATIC_DIR), name="static")

    @blueprint.get("/")
    async def chat_page(request: Request) -> response.HTTPResponse:
        return render(
            "chat.html",
            rasa_url=settings.rasa_url,
            max_message_length=settings.max_message_length,
        )

    @blueprint.get("/healthz")
    async def health(request: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"})

    return blueprint
