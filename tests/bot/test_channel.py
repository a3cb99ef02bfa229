"""The chat channel's checks as plain functions: signed ids, client address, body, rate limits."""
from __future__ import annotations

import pytest

from actions import config as action_config
from bot.channel import Refusal, client_address, list_of_kinds, read_body
from bot.config import Settings
from bot.conversation_ids import client_key, is_issued, new_conversation_id
from support_core.rate_limits import RateLimiter

SECRET = "test-secret"


def test_an_issued_conversation_id_is_accepted_and_every_id_is_new():
    first, second = new_conversation_id(SECRET), new_conversation_id(SECRET)
    assert first != second
    assert is_issued(first, SECRET) and is_issued(second, SECRET)


@pytest.mark.parametrize("conversation_id", [
    None, 17, "", "default", "web-0123456789abcdef0123456789abcdef",  # the widget's old ids
    "web-abc.def", "web-x.\u00e9", "web-\u00e9.abc",
])
def test_ids_the_server_did_not_issue_are_refused(conversation_id):
    assert not is_issued(conversation_id, SECRET)


def test_a_changed_or_otherwise_signed_id_is_refused():
    issued = new_conversation_id(SECRET)
    random_part, signature = issued.rsplit(".", 1)
    assert not is_issued(random_part + "x." + signature, SECRET)
    assert not is_issued(issued, "another-secret")


def test_an_id_with_a_lone_surrogate_is_refused_not_an_error():
    assert not is_issued(new_conversation_id(SECRET) + "\ud800", SECRET)
    assert not is_issued("web-\ud800." + new_conversation_id(SECRET).rsplit(".")[1], SECRET)


def test_with_an_empty_secret_no_id_is_accepted():
    assert not is_issued(new_conversation_id(""), "")


def test_the_client_key_names_an_address_without_holding_it():
    key = client_key("203.0.113.7", SECRET)
    assert key == client_key("203.0.113.7", SECRET) != client_key("203.0.113.8", SECRET)
    assert "203" not in key


def test_the_client_is_the_tcp_peer_unless_a_trusted_proxy_forwarded_it():
    assert client_address("198.51.100.1", "203.0.113.7", ()) == "198.51.100.1"
    assert client_address("198.51.100.1", "203.0.113.7", ("10.0.0.1",)) == "198.51.100.1"
    assert client_address("10.0.0.1", "203.0.113.7", ("10.0.0.1",)) == "203.0.113.7"
    assert client_address("10.0.0.1", None, ("10.0.0.1",)) == "10.0.0.1"


def test_a_forged_first_hop_does_not_hide_the_real_client():
    # The client wrote "1.2.3.4" itself; the proxies appended what they saw.
    forwarded = "1.2.3.4, 203.0.113.7, 10.0.0.2"
    assert client_address("10.0.0.1", forwarded, ("10.0.0.1", "10.0.0.2")) == "203.0.113.7"


@pytest.mark.parametrize("body", [
    b"[1]", b"null", b"", b"{not json", b"\xff\xfe", b'"text"', b"{}",
    b'{"sender": "x"}', b'{"sender": "x", "message": 5}', b'{"sender": "x", "message": null}',
    b"[" * 60000,  # under the size limit, but deeper than the JSON parser goes
    b'{"sender": "x", "message": "hej \\ud800"}',  # a lone surrogate: valid JSON, not text
    b'{"sender": "x", "message": "hej \\u0000"}',  # NUL: no PostgreSQL text can hold it
])
def test_unreadable_bodies_are_refused_as_bad_requests(body):
    with pytest.raises(Refusal) as refused:
        read_body(body, 65536)
    assert (refused.value.status, refused.value.error) == (400, "message_unreadable")


def test_a_body_over_the_limit_is_refused_before_it_is_parsed():
    with pytest.raises(Refusal) as refused:
        read_body(b"[" * 70000, 65536)
    assert (refused.value.status, refused.value.error) == (413, "message_too_long")


def test_a_readable_body_is_passed_on():
    assert read_body(b'{"sender": "web-1.x", "message": ""}', 65536)["message"] == ""


def test_the_removed_kinds_are_listed_as_a_sentence():
    assert list_of_kinds(("card number",)) == "card number"
    assert list_of_kinds(("card number", "security code", "password")) == (
        "card number, security code and password"
    )


def test_a_limit_refuses_beyond_its_count_and_says_when_to_come_back():
    limiter = RateLimiter()
    decisions = [limiter.hit("3/minute", "conversation:a") for _ in range(4)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after_seconds <= 60
    assert limiter.hit("3/minute", "conversation:b").allowed  # each key counts alone


def test_hitting_several_limits_is_refused_when_any_one_is_exhausted():
    limiter = RateLimiter()
    limits = {"conversation:a": "100/minute", "address:x": "2/minute"}
    assert [limiter.hit_all(limits).allowed for _ in range(3)] == [True, True, False]


def test_the_default_limits_refuse_a_flood_of_150_tickets_a_minute_from_one_address():
    limiter = RateLimiter()
    created = sum(
        limiter.hit(action_config.TICKET_RATE_PER_ADDRESS, "tickets:client:k").allowed
        for _ in range(150)
    )
    assert 1 <= created <= 20


def test_the_default_message_limits_leave_room_for_a_real_customer_but_not_a_flood():
    limiter = RateLimiter()
    settings = Settings()
    sent = [limiter.hit(settings.message_rate_per_conversation, "c").allowed for _ in range(150)]
    assert all(sent[:20]) and not all(sent)


def test_a_request_refused_by_one_limit_is_counted_against_none():
    limiter = RateLimiter()
    assert limiter.hit("1/minute", "address:x").allowed
    for _ in range(5):
        assert not limiter.hit_all({"conversation:a": "2/minute", "address:x": "1/minute"}).allowed
    assert limiter.hit("2/minute", "conversation:a").allowed  # the refusals did not use it up
    assert limiter.hit("2/minute", "conversation:a").allowed


def test_a_refusal_is_worded_in_the_language_of_the_refused_message():
    from types import SimpleNamespace

    from bot.channel import domain_text

    responses = {"utter_message_too_long": [
        {"condition": [{"type": "slot", "name": "language", "value": "da"}],
         "text": "Beskeden er for lang (højst {max_length} tegn)."},
        {"text": "The message is too long (at most {max_length} characters)."},
    ]}
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(
        domain=SimpleNamespace(responses=responses))))

    def request(text, hint=None, conversation=None):
        return SimpleNamespace(app=app, ctx=SimpleNamespace(
            chat_message=(text, hint), conversation_language=conversation))

    values = {"max_length": 5000}
    assert domain_text(request("min ordre er ikke blevet overført"), "utter_message_too_long",
                       values) == "Beskeden er for lang (højst 5000 tegn)."
    assert domain_text(request("ok", "da"), "utter_message_too_long", values).startswith("Besk")
    assert domain_text(request("my order was not transferred"), "utter_message_too_long",
                       values).startswith("The message")
    assert domain_text(request("ok"), "utter_message_too_long", values).startswith("The")
    # "ok" in a Danish conversation on an English page: the conversation's language
    assert domain_text(request("ok", "en", "da"), "utter_message_too_long", values).startswith(
        "Besk")
    assert domain_text(request("my order was not transferred", None, "da"),
                       "utter_message_too_long", values).startswith("The message")
