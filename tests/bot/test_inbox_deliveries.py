"""The inbox's deliveries: failed tickets with their error and a retry button, and the banner on
every page while delivery is paused or tickets failed."""
from __future__ import annotations

import pytest

from actions.helpdesk import BotApiHelpdesk
from actions.outbox import DELIVERED, FAILED, PENDING, Outbox
from tests.actions.helpdesk.fakes import RecordingServer, Reply, example_ticket
from tests.bot.inbox_support import (
    StaffClient,
    create_staff,
    inbox_app,
    inbox_settings,
    logged_in,
    markup_of,
)

REFUSED = "IEX-20261127-4T34"
OTHER = "IEX-20261127-B2C3D4"


@pytest.fixture
def settings(tmp_path):
    settings = inbox_settings(tmp_path)
    create_staff(settings)
    return settings


@pytest.fixture
def outbox(settings) -> Outbox:
    return Outbox(settings.outbox_db)


@pytest.fixture
def app(settings):
    return inbox_app(settings)


@pytest.fixture
def client(app) -> StaffClient:
    return logged_in(app)


def deliver_against(outbox: Outbox, reply: Reply) -> None:
    with RecordingServer(reply) as helpdesk:
        outbox.deliver_due(BotApiHelpdesk(helpdesk.url, "token", timeout=5))


def refused_tickets(outbox: Outbox) -> None:
    """Two tickets the helpdesk refused for what they hold (422)."""
    outbox.enqueue(example_ticket())
    outbox.enqueue(example_ticket(id=OTHER, idempotency_key="iex-other-key",
                                  summary="Stock <b>wrong</b> in Shopify"))
    refusal = Reply(422, {"problems": ["customer.email: <script>bad</script>"]})
    deliver_against(outbox, refusal)
    deliver_against(outbox, refusal)


def test_the_page_lists_failed_tickets_with_their_error_and_a_retry_button(client, outbox):
    refused_tickets(outbox)

    page = client.get("/inbox/deliveries")

    assert page.status == 200
    assert REFUSED in page.text and OTHER in page.text
    assert "HTTP 422" in page.text and "customer.email" in page.text
    assert "&lt;script&gt;bad&lt;/script&gt;" in page.text and "<script>" not in page.text
    assert "Stock &lt;b&gt;wrong&lt;/b&gt;" in page.text
    found = markup_of(page.text)
    assert f"/inbox/deliveries/{REFUSED}/retry" in found.urls
    assert "/inbox/deliveries/retry" in found.urls
    assert 'aria-current="page">Deliveries' in page.text


def test_retry_queues_the_one_ticket_again(client, outbox):
    refused_tickets(outbox)
    token = client.csrf_token("/inbox/deliveries")

    reply = client.post(f"/inbox/deliveries/{REFUSED}/retry", {"csrf_token": token})

    assert reply.status == 303
    assert reply.headers["location"] == f"/inbox/deliveries?retried={REFUSED}"
    assert outbox.find(REFUSED).status == PENDING
    assert outbox.find(OTHER).status == FAILED
    after = client.get(reply.headers["location"])
    assert f"{REFUSED} queued for delivery again" in after.text


def test_retry_all_queues_every_failed_ticket(client, outbox):
    refused_tickets(outbox)
    token = client.csrf_token("/inbox/deliveries")

    reply = client.post("/inbox/deliveries/retry", {"csrf_token": token})

    assert reply.headers["location"] == "/inbox/deliveries?retried=all&count=2"
    assert outbox.counts() == {PENDING: 2, DELIVERED: 0, FAILED: 0}
    assert "No failed tickets" in client.get("/inbox/deliveries").text


def test_retry_of_a_ticket_that_did_not_fail_says_so(client, outbox):
    outbox.enqueue(example_ticket())
    token = client.csrf_token("/inbox/deliveries")

    reply = client.post(f"/inbox/deliveries/{REFUSED}/retry", {"csrf_token": token})

    assert reply.status == 404 and "No such failed ticket" in reply.text
    assert outbox.find(REFUSED).status == PENDING


def test_retry_needs_the_forms_csrf_token(client, outbox):
    refused_tickets(outbox)

    reply = client.post(f"/inbox/deliveries/{REFUSED}/retry", {"csrf_token": "forged"})
    everything = client.post("/inbox/deliveries/retry", {})

    assert reply.status == everything.status == 403
    assert outbox.counts()[FAILED] == 2


def test_the_page_and_retry_need_a_staff_login(app, outbox):
    refused_tickets(outbox)
    stranger = StaffClient(app)

    page = stranger.get("/inbox/deliveries")
    retry = stranger.post(f"/inbox/deliveries/{REFUSED}/retry", {"csrf_token": "x"})

    assert page.status == retry.status == 303
    assert page.headers["location"].startswith("/inbox/login?")
    assert outbox.counts()[FAILED] == 2


@pytest.mark.parametrize("path", ["/inbox/tickets", "/inbox/conversations", "/inbox/analytics"])
def test_every_page_shows_a_banner_while_delivery_is_paused(client, outbox, path):
    outbox.enqueue(example_ticket())
    deliver_against(outbox, Reply(401, {"error": "a valid bearer token is required"}))

    page = client.get(path)

    assert 'id="delivery-banner"' in page.text
    assert "Ticket delivery is paused" in page.text and "HTTP 401" in page.text
    assert "1 ticket kept and waiting" in page.text


def test_the_deliveries_page_explains_the_pause_and_offers_to_try_now(client, outbox):
    outbox.enqueue(example_ticket())
    deliver_against(outbox, Reply(401, {"error": "a valid bearer token is required"}))
    page = client.get("/inbox/deliveries")
    assert "Paused" in page.text and "a valid bearer token is required" in page.text

    client.post("/inbox/deliveries/retry", {"csrf_token": client.csrf_token("/inbox/deliveries")})

    assert outbox.pause().next_probe_at <= outbox.clock()


def test_the_banner_counts_failed_tickets(client, outbox):
    refused_tickets(outbox)

    page = client.get("/inbox/tickets")

    assert "2 tickets were not delivered" in page.text
    assert "paused" not in page.text


def test_no_banner_while_everything_is_delivered(client, outbox):
    outbox.enqueue(example_ticket())
    deliver_against(outbox, Reply(201, {"id": REFUSED}))

    assert 'id="delivery-banner"' not in client.get("/inbox/tickets").text
