"""The ticket format (tickets/ticket.schema.json) and the builder of tickets."""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from jsonschema import Draft202012Validator

from actions.ticket import (
    REFERENCE_ALPHABET,
    REFERENCE_SUFFIX_LENGTH,
    Case,
    build_ticket,
    idempotency_key,
    new_reference,
    summary_line,
    ticket_sequence,
)
from support_core.problems import categories, problem
from tests.actions.helpdesk.fakes import example_ticket
from tests.conversation_builders import bot_event, problem_report, user_event
from tickets import InvalidTicket, load_schema, ticket_problems, validate_ticket

NOW = datetime(2026, 11, 27, 10, 5, tzinfo=timezone.utc)
T0 = 1_795_773_600.0  # 2026-11-27T10:00:00Z

EVENTS = [
    problem_report("Order 10023 never reached e-conomic", timestamp=T0),
    bot_event("Did this help?", timestamp=T0 + 1, buttons=[{"title": "No", "payload": "/deny"}]),
    user_event("/deny", "deny", timestamp=T0 + 20),
]

CASE = {
    "email": "kunde@webshop.dk",
    "description": "Orders 10023 and 10024 never reached e-conomic.",
    "category": "order_transfer",
    "systems": ["Shopify", "e-conomic"],
    "order_ids": ["10023", "10024"],
    "articles_shown": ["https://help.iex.dk/orders-not-transferred"],
    "log_checked": True,
    "log_status": "VAT code missing",
}


# --- the schema --------------------------------------------------------------------------------


def test_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(load_schema())


def test_example_ticket_matches_the_schema():
    validate_ticket(example_ticket())


def test_unknown_top_level_fields_are_refused():
    assert ticket_problems(example_ticket(priority="high")) == [
        "(ticket): Additional properties are not allowed ('priority' was unexpected)"
    ]


def test_every_problem_is_listed_with_where_it_is():
    ticket = example_ticket(status="open", customer={"email": "not-an-email"})
    ticket["transcript"][0]["sender"] = "agent"
    del ticket["summary"]

    with pytest.raises(InvalidTicket) as raised:
        validate_ticket(ticket)

    problems = raised.value.problems
    assert len(problems) == 4
    assert any(line.startswith("customer.email: 'not-an-email' does not") for line in problems)
    assert "status: 'open' is not one of ['new', 'in_progress', 'closed']" in problems
    assert any(problem.startswith("transcript[0].sender:") for problem in problems)
    assert "(ticket): 'summary' is a required property" in problems
    assert "status: 'open'" in str(raised.value)


@pytest.mark.parametrize(
    "stamp", ["2026-11-27 10:00:00", "2026-11-27T10:00:00+01:00", "2026-13-40T10:00:00Z"]
)
def test_timestamps_must_be_iso_utc(stamp):
    assert ticket_problems(example_ticket(created_at=stamp))


def test_non_objects_are_not_tickets():
    assert ticket_problems(None) == ["(ticket): None is not of type 'object'"]


# --- references and keys -----------------------------------------------------------------------


def test_reference_is_readable_and_dated():
    reference = new_reference(NOW, rng=random.Random(7))

    assert re.fullmatch(r"IEX-20261127-[2-9A-HJKMNP-TV-Z]{6}", reference)
    assert reference == new_reference(NOW, rng=random.Random(7))


def test_a_day_has_room_for_many_more_references_than_tickets():
    # 30^6 = 729 million a day: at 1000 tickets a day two share a suffix about once in four
    # years (the outbox replaces a taken one anyway); 4 characters (810,000) collided daily.
    assert len(REFERENCE_ALPHABET) ** REFERENCE_SUFFIX_LENGTH > 700_000_000
    suffixes = {new_reference(NOW, seed=f"conversation-{n}")[-6:] for n in range(20_000)}
    assert len(suffixes) > 19_990


def test_reference_from_a_seed_is_stable():
    assert new_reference(NOW, seed="abc") == new_reference(NOW + timedelta(hours=1), seed="abc")
    assert new_reference(NOW, seed="abc") != new_reference(NOW, seed="abd")


def test_reference_date_is_the_utc_date():
    copenhagen_after_midnight = datetime(2026, 11, 28, 0, 30, tzinfo=timezone(timedelta(hours=1)))

    assert new_reference(copenhagen_after_midnight, seed="x").startswith("IEX-20261127-")


def test_idempotency_key_is_stable_per_conversation_and_hand_off():
    key = idempotency_key("conversation-1", 3)

    assert key == idempotency_key("conversation-1", 3)
    assert key != idempotency_key("conversation-1", 4)
    assert key != idempotency_key("conversation-2", 3)
    pattern = load_schema()["properties"]["idempotency_key"]["pattern"]
    assert re.fullmatch(pattern, key)


def test_sequence_counts_the_completed_hand_offs():
    handed_off = {"event": "action", "name": "action_create_ticket", "timestamp": T0 + 30}
    other = {"event": "action", "name": "action_listen", "timestamp": T0 + 31}

    assert ticket_sequence(EVENTS) == 0
    assert ticket_sequence(EVENTS + [handed_off, other]) == 1
    assert ticket_sequence([handed_off, handed_off], action_name="action_hand_off") == 0


# --- category and summary ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "filed_as"),
    [("order_transfer", "order_transfer"), ("stock", "stock"), ("vat", "vat"),
     ("something_new", "other"), (None, "other")],
)
def test_the_ticket_is_filed_under_the_category_of_the_case(category, filed_as):
    assert build_ticket(dict(CASE, category=category), "c", EVENTS, NOW)["category"] == filed_as


def test_every_category_makes_a_valid_ticket_with_its_catalogue_label():
    for category in categories():
        ticket = build_ticket(dict(CASE, category=category), "c", EVENTS, NOW)
        assert ticket["summary"].startswith(problem(category).label)


def test_summary_names_problem_systems_and_examples():
    assert summary_line(Case.from_mapping(CASE), "order_transfer") == (
        "Order not transferred (Shopify, e-conomic): orders 10023, 10024"
    )


def test_summary_of_many_examples_stays_short():
    case = Case(email="a@b.dk", order_ids=[str(10000 + n) for n in range(40)], systems=["X" * 200])

    line = summary_line(case, "order_transfer")

    assert len(line) <= 120
    assert "\n" not in line


def test_summary_without_examples_or_systems():
    assert summary_line(Case(email="a@b.dk", product_ids=["TS-RED-L"]), "products") == (
        "Product not created: product TS-RED-L"
    )
    assert summary_line(Case(email="a@b.dk"), "nonsense") == "Support request"


# --- the builder -------------------------------------------------------------------------------


def test_built_ticket_holds_the_case_and_matches_the_schema():
    ticket = build_ticket(CASE, "conversation-1", EVENTS, NOW)

    validate_ticket(ticket)
    assert ticket["id"].startswith("IEX-20261127-")
    assert ticket["conversation_id"] == "conversation-1"
    assert ticket["created_at"] == "2026-11-27T10:05:00Z"
    assert ticket["status"] == "new"
    assert ticket["customer"] == {"email": "kunde@webshop.dk", "name": None}
    assert ticket["category"] == "order_transfer"
    assert ticket["systems"] == ["Shopify", "e-conomic"]
    assert ticket["description"] == "Orders 10023 and 10024 never reached e-conomic."
    assert ticket["examples"] == {"order_ids": ["10023", "10024"], "product_ids": [], "other": []}
    assert ticket["self_help"] == {
        "articles_shown": ["https://help.iex.dk/orders-not-transferred"],
        "log_checked": True,
        "log_status": "VAT code missing",
    }
    assert ticket["urgent_requested"] is False
    assert [line["sender"] for line in ticket["transcript"]] == ["customer", "bot", "customer"]
    assert ticket["transcript"][2]["text"] == "No"
    assert ticket["idempotency_key"] == idempotency_key("conversation-1", 0)


def test_same_inputs_build_the_same_ticket():
    assert build_ticket(CASE, "c", EVENTS, NOW) == build_ticket(dict(CASE), "c", EVENTS, NOW)


def test_replayed_hand_off_gets_the_same_reference_even_a_moment_later():
    first = build_ticket(CASE, "c", EVENTS, NOW)
    replay = build_ticket(CASE, "c", EVENTS, NOW + timedelta(seconds=3))
    # The customer wrote again because the first run's answer never arrived.
    resent = build_ticket(CASE, "c", EVENTS + [user_event("hello?", "greet")], NOW)

    assert (replay["id"], replay["idempotency_key"]) == (first["id"], first["idempotency_key"])
    assert resent["idempotency_key"] == first["idempotency_key"]


def test_a_later_hand_off_in_the_same_conversation_is_a_new_ticket():
    later_events = EVENTS + [
        {"event": "action", "name": "action_create_ticket", "timestamp": T0 + 30},
        problem_report("one more problem, the stock", timestamp=T0 + 40),
    ]

    first = build_ticket(CASE, "c", EVENTS, NOW)
    second = build_ticket(CASE, "c", later_events, NOW)

    assert second["idempotency_key"] != first["idempotency_key"]
    assert build_ticket(CASE, "c", EVENTS, NOW, sequence=9)["idempotency_key"] == (
        idempotency_key("c", 9)
    )


def test_case_may_be_a_dataclass_or_slots_with_extra_keys_and_nones():
    slots = dict(CASE, requested_slot=None, some_other_slot="x", customer_name=None)

    assert build_ticket(Case(**CASE), "c", EVENTS, NOW) == build_ticket(slots, "c", EVENTS, NOW)


def test_description_is_plain_capped_text():
    case = dict(CASE, description="<p>It <b>fails</b></p><script>steal()</script>" + "x " * 4000)

    description = build_ticket(case, "c", EVENTS, NOW)["description"]

    assert description.startswith("It fails\nx x")
    assert "<" not in description and "steal" not in description
    assert len(description) <= 5000


def test_missing_description_falls_back_to_the_first_customer_message():
    case = dict(CASE, description="")

    assert build_ticket(case, "c", EVENTS, NOW)["description"] == (
        "Order 10023 never reached e-conomic"
    )
    assert build_ticket(case, "c", [], NOW)["description"] == "(no description given)"


def test_a_case_without_a_category_is_filed_as_other_whatever_the_conversation_said():
    # The category is decided once, when the hand-off starts (action_start_handoff).
    case = dict(CASE, category=None)

    assert build_ticket(case, "c", EVENTS, NOW)["category"] == "other"


def test_untrustworthy_values_are_cleaned():
    case = dict(
        CASE,
        systems=["Shopify", "Shopify", "<b>e-conomic</b>", ""],
        articles_shown=["https://help.iex.dk/a", "javascript:alert(1)", "not a url"],
        log_checked="yes",
        log_status="  ",
        urgent_requested=1,
    )

    ticket = build_ticket(case, "c", EVENTS, NOW)

    assert ticket["systems"] == ["Shopify", "e-conomic"]
    assert ticket["self_help"]["articles_shown"] == ["https://help.iex.dk/a"]
    assert ticket["self_help"]["log_checked"] is None
    assert ticket["self_help"]["log_status"] is None
    assert ticket["urgent_requested"] is True


def test_times_are_stored_in_utc():
    copenhagen = timezone(timedelta(hours=1))

    aware = build_ticket(CASE, "c", EVENTS, datetime(2026, 11, 27, 11, 5, tzinfo=copenhagen))
    naive = build_ticket(CASE, "c", EVENTS, datetime(2026, 11, 27, 10, 5))

    assert aware["created_at"] == naive["created_at"] == "2026-11-27T10:05:00Z"


def test_long_conversations_keep_the_newest_messages():
    events = [user_event(f"message {n}", "inform", timestamp=T0 + n) for n in range(600)]

    transcript = build_ticket(CASE, "c", events, NOW)["transcript"]

    assert len(transcript) == 500
    assert transcript[-1]["text"] == "message 599"


def test_transcript_is_stored_as_plain_text():
    events = [
        user_event("Order <b>10023</b> <script>steal()</script>fails", "inform", timestamp=T0),
        user_event("<script>steal()</script>", "inform", timestamp=T0 + 1),
    ]

    transcript = build_ticket(CASE, "c", events, NOW)["transcript"]

    assert [line["text"] for line in transcript] == ["Order 10023 fails", "[markup removed]"]


def test_invalid_email_cannot_make_a_ticket():
    with pytest.raises(InvalidTicket, match="customer.email"):
        build_ticket(dict(CASE, email="kunde at webshop"), "c", EVENTS, NOW)
    without_email = {key: value for key, value in CASE.items() if key != "email"}
    with pytest.raises(InvalidTicket, match="customer.email"):
        build_ticket(without_email, "c", EVENTS, NOW)
