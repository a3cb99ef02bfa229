"""The chat surface: the embeddable widget (/widget.js and its stylesheet) and a demo support page.

The widget talks to Rasa's REST channel straight from the browser; this blueprint only serves
its files and a page at / that shows it open. Its pure logic lives in small modules of its own
(unit-tested with node, tests/widget/); /widget.js serves them and the widget as one script, so a
page still embeds the chat with one script tag and no build step.
"""
from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, Request, response

from bot.config import Settings
from bot.templating import render
from support_core.language import DEFAULT_LANGUAGE, language_code

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Pages on other sites load the widget; a short cache keeps edits reaching them quickly.
WIDGET_CACHE = {"Cache-Control": "public, max-age=300"}
JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
#: The widget's modules, in the order /widget.js joins them before widget.js itself.
WIDGET_MODULES = ("widget-text.js", "widget-delivery.js")


def widget_bundle() -> str:
    """The widget's modules and widget.js as one script (read afresh, so edits show at once)."""
    parts = [(STATIC_DIR / name).read_text(encoding="utf-8") for name in WIDGET_MODULES]
    parts.append((STATIC_DIR / "widget.js").read_text(encoding="utf-8"))
    return "\n".join(parts)


def embed_code(widget_url: str, settings: Settings) -> str:
    """The script tag a site owner pastes into a page to get the chat."""
    return (
        f'<script src="{widget_url}" data-server="{settings.rasa_url}" data-title="IEX Support"'
        f' data-max-length="{settings.max_message_length}"></script>'
    )


def create_blueprint(settings: Settings) -> Blueprint:
    """Serve the demo page at /, the widget's script and stylesheet, and a health check."""
    blueprint = Blueprint("chat")
    blueprint.static("/static", str(STATIC_DIR), name="static")

    @blueprint.get("/")
    async def demo_page(request: Request) -> response.HTTPResponse:
        widget_url = f"{request.scheme}://{request.host}/widget.js"
        return render(
            "support_demo.html",
            rasa_url=settings.rasa_url,
            max_message_length=settings.max_message_length,
            embed_code=embed_code(widget_url, settings),
            language=language_code(request.args.get("lang")) or DEFAULT_LANGUAGE,
        )

    @blueprint.get("/widget.js")
    async def widget_script(request: Request) -> response.HTTPResponse:
        return response.text(widget_bundle(), content_type=JAVASCRIPT, headers=WIDGET_CACHE)

    @blueprint.get("/widget.css")
    async def widget_stylesheet(request: Request) -> response.HTTPResponse:
        stylesheet = STATIC_DIR / "widget.css"
        return await response.file(stylesheet, mime_type=CSS, headers=WIDGET_CACHE)

    @blueprint.get("/healthz")
    async def health(request: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"})

    return blueprint
