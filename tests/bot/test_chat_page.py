from dataclasses import replace

from bot.app import create_app
from bot.config import Settings


def test_chat_page_points_the_browser_at_the_rasa_server():
    app = create_app(replace(Settings(), rasa_url="http://rasa.example:5005"))
    _, response = app.test_client.get("/")
    assert response.status == 200
    assert 'data-rasa-url="http://rasa.example:5005"' in response.text
    assert '<script src="/static/chat.js">' in response.text


def test_chat_script_and_health_check_are_served():
    app = create_app(Settings())
    _, script = app.test_client.get("/static/chat.js")
    assert script.status == 200 and "webhooks/rest/webhook" in script.text
    _, health = app.test_client.get("/healthz")
    assert health.json == {"status": "ok"}


def test_settings_in_the_page_are_escaped():
    app = create_app(replace(Settings(), rasa_url='http://x"><script>alert(1)</script>'))
    _, response = app.test_client.get("/")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text
