"""Jinja2 environment shared by every page of the web app (autoescaping on)."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import response

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

templates = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "xml"], default=True),
)


def render(template_name: str, status: int = 200, **context) -> response.HTTPResponse:
    """Render a template to an HTML response; every value is escaped unless marked safe."""
    return response.html(templates.get_template(template_name).render(**context), status=status)
