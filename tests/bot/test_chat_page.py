"""The chat surface's routes: the demo page, the widget's files and the health check."""

from bot.app import create_app
from bot.config import Settings


def test_demo_page_embeds_the_widget_pointed_at_the_rasa_server(tmp_path):
    settings = Settings(state_dir=tmp_path, rasa_url="http://rasa.example:5005",
                        max_message_length=1200)
    _, page = create_app(settings).test_client.get("/")
    assert page.status == 200
    assert '<script src="/widget.js" data-server="http://rasa.example:5005"' in page.text
    assert 'data-max-length="1200"' in page.text
    assert 'data-open="true"' in page.text


def test_demo_page_shows_the_line_to_embed_the_widget_elsewhere(tmp_path):
    app = create_app(Settings(state_dir=tmp_path, rasa_url="http://rasa.example:5005"))
    _, page = app.test_client.get("/", headers={"Host": "support.example:8080"})
    assert (
        "&lt;script src=&#34;http://support.example:8080/widget.js&#34; "
        "data-server=&#34;http://rasa.example:5005&#34;"
    ) in page.text


def test_widget_script_is_served_as_javascript_and_talks_to_the_chat_channel(tmp_path):
    _, script = create_app(Settings(state_dir=tmp_path)).test_client.get("/widget.js")
    assert script.status == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in script.text
    assert '"/webhooks/chat"' in script.text and '"/conversations"' in script.text


def test_widget_stylesheet_is_served_as_css(tmp_path):
    _, stylesheet = create_app(Settings(state_dir=tmp_path)).test_client.get("/widget.css")
    assert stylesheet.status == 200
    assert stylesheet.headers["content-type"].startswith("text/css")
    assert ":host" in stylesheet.text


def test_widget_files_may_be_cached_briefly_by_other_sites(tmp_path):
    _, script = create_app(Settings(state_dir=tmp_path)).test_client.get("/widget.js")
    assert script.headers["cache-control"] == "public, max-age=300"


def test_health_check_answers(tmp_path):
    _, health = create_app(Settings(state_dir=tmp_path)).test_client.get("/healthz")
    assert health.json == {"status": "ok"}


def test_settings_in_the_page_are_escaped(tmp_path):
    app = create_app(Settings(state_dir=tmp_path, rasa_url='http://x"><script>alert(1)</script>'))
    _, page = app.test_client.get("/")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_demo_page_is_danish_when_asked_and_english_otherwise(tmp_path):
    app = create_app(Settings(state_dir=tmp_path))

    _, danish = app.test_client.get("/?lang=da")
    _, unknown = app.test_client.get("/?lang=xx")
    _, plain = app.test_client.get("/")

    assert '<html lang="da">' in danish.text
    assert '<html lang="en">' in unknown.text and '<html lang="en">' in plain.text


def test_widget_script_brings_its_modules_first_so_one_script_tag_is_enough(tmp_path):
    _, script = create_app(Settings(state_dir=tmp_path)).test_client.get("/widget.js")
    assert script.text.index("modules.text = api") < script.text.index("attachShadow")
    assert script.text.index("modules.delivery = api") < script.text.index("attachShadow")
