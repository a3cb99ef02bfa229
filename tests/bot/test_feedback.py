"""The widget's feedback: article opened / helped and conversation ratings, stored and counted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot import feedback
from bot.app import create_app
from bot.config import Settings
from bot.conversation_ids import new_conversation_id
from bot.feedback import FeedbackStore, feedback_figures, feedback_store_for
from bot.templating import templates

SECRET = "test-conversation-secret"
#: A help article of the project's own (the app reads data/articles).
SLUG = "selecting-the-order-stage"
DAY = timedelta(days=1)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    # A store is made once per location and process; an emptied database needs a new one.
    feedback_store_for.cache_clear()
    return Settings(state_dir=tmp_path, conversation_secret=SECRET, database_url=database_url)


@pytest.fixture
def client(settings):
    return create_app(settings).test_client


def post(client, body):
    _, response = client.post("/widget/feedback", json=body)
    return response


def this_period() -> tuple[datetime, datetime]:
    now = datetime.now(timezone.utc)
    return now - DAY, now + DAY


def test_articles_opened_and_helped_are_counted_per_article_by_title(client, settings):
    first, second = new_conversation_id(SECRET), new_conversation_id(SECRET)
    for conversation in (first, second, first):  # opened twice in one conversation: once
        body = {"conversation_id": conversation, "kind": "article_opened", "slug": SLUG}
        assert post(client, body).status == 201
    post(
        client, {"conversation_id": first, "kind": "article_helped", "slug": SLUG, "helped": False}
    )
    post(
        client, {"conversation_id": first, "kind": "article_helped", "slug": SLUG, "helped": True}
    )  # changed their mind: the later answer counts
    post(
        client, {"conversation_id": second, "kind": "article_helped", "slug": SLUG, "helped": False}
    )

    [article] = feedback_figures(settings, *this_period()).articles
    assert (article.opened, article.helped, article.not_helped) == (2, 1, 1)
    assert article.title == "Selecting the order stage" or not article.title.startswith(SLUG)
    assert article.slug == SLUG


def test_ratings_give_a_distribution_an_average_and_the_latest_comments(client, settings):
    for rating, comment in ((5, "Quick and clear"), (4, ""), (5, "")):
        body = {
            "conversation_id": new_conversation_id(SECRET),
            "kind": "rating",
            "rating": rating,
            "comment": comment,
            "outcome": "ticket",
        }
        assert post(client, body).status == 201

    figures = feedback_figures(settings, *this_period())
    assert figures.ratings == 3
    assert figures.distribution == ((1, 0), (2, 0), (3, 0), (4, 1), (5, 2))
    assert figures.average == pytest.approx(14 / 3)
    assert figures.comments == ("Quick and clear",)
    assert figures.most_given == 2


def test_a_conversation_is_rated_once_its_later_rating_replacing_the_first(client, settings):
    conversation = new_conversation_id(SECRET)
    for rating in (2, 4):
        post(
            client,
            {
                "conversation_id": conversation,
                "kind": "rating",
                "rating": rating,
                "outcome": "solved",
            },
        )
    assert feedback_figures(settings, *this_period()).distribution[3] == (4, 1)
    assert feedback_figures(settings, *this_period()).ratings == 1


#: Bodies under a signed conversation id that the endpoint refuses, and what it says.
REFUSED = [
    ({"kind": "shout"}, "kind must be"),
    ({"kind": "rating", "rating": 6, "outcome": "ticket"}, "1 to 5"),
    ({"kind": "rating", "rating": True, "outcome": "ticket"}, "1 to 5"),
    ({"kind": "rating", "rating": 5.0, "outcome": "ticket"}, "whole number"),
    ({"kind": "rating", "rating": 3, "outcome": "ticket", "comment": "\ud800"}, "Unicode"),
    ({"kind": "article_opened", "slug": "\udcff"}, "Unicode"),
    ({"kind": "rating", "rating": 3, "outcome": "ticket", "comment": "ok\x00"}, "NUL"),
    ({"kind": "rating", "rating": 3, "outcome": "bored"}, "outcome"),
    ({"kind": "rating", "rating": 3, "outcome": "ticket", "comment": "x" * 1001}, "comment"),
    ({"kind": "article_opened", "slug": "no-such-article"}, "slug"),
    ({"kind": "article_helped", "slug": SLUG, "helped": "yes"}, "helped"),
]


@pytest.mark.parametrize(("body", "says"), REFUSED)
def test_a_bad_body_is_refused_with_400_and_says_why(client, settings, body, says):
    response = post(client, {"conversation_id": new_conversation_id(SECRET), **body})
    assert response.status == 400
    assert says in response.json["message"]
    assert feedback_figures(settings, *this_period()).ratings == 0


@pytest.mark.parametrize(
    "body",
    [
        "not an object",
        {"kind": "rating", "rating": 5, "outcome": "ticket"},
        {
            "conversation_id": "web-made-up.signature",
            "kind": "rating",
            "rating": 5,
            "outcome": "ticket",
        },
        {"conversation_id": "web-\ud800.signature", "kind": "article_opened", "slug": SLUG},
        {
            "conversation_id": new_conversation_id("another-secret"),
            "kind": "rating",
            "rating": 5,
            "outcome": "ticket",
        },
    ],
)
def test_feedback_needs_a_conversation_id_the_chat_issued(client, body):
    response = post(client, body)
    assert response.status == 400
    message = response.json["message"]
    assert "JSON object" in message or "conversation_id" in message or "Unicode" in message


def test_unreadable_json_and_a_large_body_are_refused(client):
    _, response = client.post(
        "/widget/feedback", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status == 400
    _, response = client.post("/widget/feedback", content=b"x" * 5000)
    assert response.status == 413
    assert "4096 bytes" in response.json["message"]


def test_feedback_reads_allowed_origins_as_rasas_cors_does(tmp_path):
    settings = Settings(
        state_dir=tmp_path,
        conversation_secret=SECRET,
        allowed_origins=(r"http://(localhost|127\.0\.0\.1):\d+\Z",),
    )
    client = create_app(settings).test_client
    body = {"conversation_id": new_conversation_id(SECRET), "kind": "article_opened", "slug": SLUG}

    _, allowed = client.post(
        "/widget/feedback", json=body, headers={"Origin": "http://localhost:41234"}
    )
    _, refused = client.post(
        "/widget/feedback", json=body, headers={"Origin": "https://evil.example"}
    )

    assert allowed.status == 201
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:41234"
    assert "access-control-allow-origin" not in refused.headers
    assert refused.headers["vary"] == "Origin"


def test_the_analytics_open_the_feedback_store_once(settings, monkeypatch):
    schemas_run = []
    create = feedback.Database.create
    monkeypatch.setattr(
        feedback.Database,
        "create",
        lambda *args: schemas_run.append(args) or create(*args),
    )

    for _ in range(3):
        feedback_figures(settings, *this_period())

    assert len(schemas_run) == 1


def test_feedback_outside_the_period_is_not_counted(settings):
    store = FeedbackStore(settings.feedback_location)
    store.rate(new_conversation_id(SECRET), 1, "", "solved")
    later = datetime.now(timezone.utc) + 2 * DAY
    assert feedback_figures(settings, later, later + DAY).ratings == 0


def test_the_analytics_partial_shows_the_figures_escaped(client, settings):
    post(
        client,
        {
            "conversation_id": new_conversation_id(SECRET),
            "kind": "rating",
            "rating": 3,
            "comment": "<b>meh</b>",
            "outcome": "ticket",
        },
    )
    html = templates.get_template("inbox_feedback.html").render(
        feedback=feedback_figures(settings, *this_period())
    )
    assert 'id="rating-average">3.0<' in html
    assert "&lt;b&gt;meh&lt;/b&gt;" in html


def test_the_analytics_partial_says_when_there_is_nothing_yet(settings):
    html = templates.get_template("inbox_feedback.html").render(
        feedback=feedback_figures(settings, *this_period())
    )
    assert "No conversation was rated" in html
