"""The one reader of tracker events: intents, entities, the case under way, the transcript."""
from support_core.events import (
    current_case,
    entity_values,
    full_intent_of,
    intent_of,
    latest_problem_report,
    messages,
    misunderstandings_in_a_row,
    reported_problem,
    systems_mentioned,
)
from tests.conversation_builders import (
    action_event,
    bot_event,
    faq_event,
    problem_report,
    slot_event,
    system_entity,
    user_event,
)


def test_systems_are_collected_across_messages_without_repeats():
    events = [
        user_event("we use shopify", "inform", [system_entity("Shopify")]),
        bot_event("ok"),
        user_event("and economic, shopify again", "inform",
                   [system_entity("e-conomic"), system_entity("Shopify")]),
    ]
    assert systems_mentioned(events) == ["Shopify", "e-conomic"]


def test_only_the_latest_misunderstandings_in_a_row_count():
    events = [
        user_event("blah", "nlu_fallback"),
        user_event("hi", "greet"),
        user_event("asdf", "nlu_fallback"),
        bot_event("sorry"),
        user_event("qwerty", "nlu_fallback"),
    ]
    assert misunderstandings_in_a_row(events) == 2
    assert misunderstandings_in_a_row(events + [user_event("hello", "greet")]) == 0


def test_the_latest_problem_report_is_the_customers_last_report_problem_message():
    first = problem_report("order 1001 missing")
    second = problem_report("vat is doubled")
    events = [first, second, user_event("yes", "affirm")]
    assert latest_problem_report(events) is second
    assert latest_problem_report([user_event("hi", "greet")]) is None


def test_a_retrieval_question_reads_as_its_sub_intent():
    question = faq_event("what is 2nd line?", "second_line")
    assert intent_of(question) == "faq"
    assert full_intent_of(question) == "faq/second_line"
    assert full_intent_of(user_event("hi", "greet")) == "greet"


def test_entity_values_are_in_order_without_repeats():
    event = user_event("shopify, dinero and shopify", "inform", [
        system_entity("Shopify"), system_entity("Dinero"), system_entity("Shopify"),
        {"entity": "order_id", "value": "10023"},
    ])
    assert entity_values(event, "system") == ["Shopify", "Dinero"]
    assert entity_values(event, "email") == []


def test_a_second_problem_report_starts_a_new_case():
    events = [
        problem_report("order 1001 never reached e-conomic", "e-conomic"),
        user_event("it's order 1002 too", "inform"),
        bot_event("Did that solve it?"),
        problem_report("and now the stock in Shopify is wrong", "Shopify"),
        user_event("no", "deny"),
    ]
    case = current_case(events)
    assert case == events[3:]
    assert systems_mentioned(case) == ["Shopify"]


def test_a_closed_case_is_not_carried_into_the_next_request():
    for closing in ("action_create_ticket", "action_cancel_ticket"):
        events = [
            problem_report("order 1001 never reached e-conomic", "e-conomic"),
            action_event(closing),
            slot_event("contact_email", None),
            user_event("one more thing, I want a person", "request_human"),
        ]
        case = current_case(events)
        assert case == events[2:]
        assert systems_mentioned(case) == []
        assert latest_problem_report(case) is None


def test_without_a_report_or_a_closed_case_the_whole_conversation_is_the_case():
    events = [user_event("we use dinero", "inform", [system_entity("Dinero")]),
              user_event("I want a person", "request_human")]
    assert current_case(events) == events


def test_messages_show_the_button_clicked_rather_than_its_payload():
    buttons = [{"title": "Yes, it did", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    events = [
        problem_report("order 1001 missing", timestamp=10.0),
        action_event("action_give_self_help"),
        bot_event("Did that solve it?", timestamp=11.0, buttons=buttons),
        user_event("/deny", "deny", timestamp=12.0),
    ]
    found = [(m.sender, m.text, m.intent) for m in messages(events)]
    assert found == [
        ("customer", "order 1001 missing", "report_problem"),
        ("bot", "Did that solve it?\n[Yes, it did] [No]", None),
        ("customer", "No", "deny"),
    ]


def test_a_message_without_a_timestamp_borrows_the_one_before():
    events = [user_event("hi", "greet", timestamp=5.0), {"event": "bot", "text": "Hello!"}]
    assert [message.timestamp for message in messages(events)] == [5.0, 5.0]


def test_a_fallback_message_is_marked_not_understood():
    [message] = messages([user_event("blorp", "nlu_fallback")])
    assert message.not_understood


def test_only_a_report_problem_message_is_a_reported_problem():
    assert reported_problem([user_event("hi", "greet"), problem_report("vat is wrong")])
    assert not reported_problem([user_event("this is urgent", "flag_urgent")])


def test_messages_never_show_card_numbers_security_codes_keys_or_passwords():
    # Stored before the chat channel redacted messages, or typed in the terminal.
    events = [
        user_event("my card 4242 4242 4242 4242 cvc 123 was charged twice", "report_problem"),
        bot_event("You wrote: card 4242424242424242, key sk_live_51HxYzAbCdEfGhIjKlMnOp"),
        user_event("min adgangskode er Sommer2024!", "inform"),
        user_event("order 10023 is missing", "report_problem"),
    ]

    assert [message.text for message in messages(events)] == [
        "my card [card number removed] cvc [security code removed] was charged twice",
        "You wrote: card [card number removed], key [API key or token removed]",
        "min adgangskode er [password removed]",
        "order 10023 is missing",
    ]
