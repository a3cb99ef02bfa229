"""The support-policy topics, recognised in free text the NLU was unsure about."""
import pytest

from support_core.policy import POLICY_TOPICS, policy_topic_in, topic_for_intent
from tests.conversation_builders import domain


@pytest.mark.parametrize(("text", "topic"), [
    ("can i just ring you lot", "phone_support"),
    ("what's your phone number?", "phone_support"),
    ("this is urgent", "urgent"),
    ("asap pls", "urgent"),
    ("can you prioritise my case", "urgent"),
    ("its been 2 days since i emailed, is that normal??", "response_time"),
    ("when do you reply?", "response_time"),
    ("what is 2nd line?", "second_line"),
    ("which plugin should I use for B2B prices", "plugin_support"),
    ("what info do you need from me", "what_to_include"),
    ("I'm on a trial, where do I start", "new_customer"),
    ("is it my responsibility to get the systems ready", "customer_responsibility"),
    ("how do I change the invoice layout in e-conomic", "system_setup"),
    ("what is the support email", "contact_support"),
])
def test_a_policy_question_is_recognised_in_the_customers_words(text, topic):
    assert policy_topic_in(text).name == topic


@pytest.mark.parametrize("text", [
    "how long does it take before an order shows up in e-conomic",
    "when will orders be transferred",
    "how do I connect Stripe?",
    "order 10023 not transferred",
    "",
])
def test_a_question_about_the_integration_itself_is_no_policy_question(text):
    assert policy_topic_in(text) is None


def test_a_question_naming_two_topics_gets_the_first_of_the_catalogue():
    assert policy_topic_in("no answer for 3 days, can I call you?").name == "response_time"


def test_each_topic_is_found_by_the_intent_that_asks_for_it():
    assert topic_for_intent("faq/second_line").name == "second_line"
    assert topic_for_intent("ask_phone_support").name == "phone_support"
    assert topic_for_intent("flag_urgent").name == "urgent"
    assert topic_for_intent("report_problem") is None
    assert topic_for_intent(None) is None


def test_only_phone_urgent_and_contact_answers_offer_the_write_up():
    assert {topic.name for topic in POLICY_TOPICS if topic.offers_handoff} == {
        "phone_support", "urgent", "contact_support"}


def test_every_topic_has_its_response_and_intent_in_the_domain():
    for topic in POLICY_TOPICS:
        assert topic.response in domain()["responses"], topic.name
        assert topic.intent.split("/")[0] in domain()["intents"], topic.name


@pytest.mark.parametrize(("question", "topic"), [
    ("hvor lang tid går der før i svarer", "response_time"),
    ("kan jeg ringe til jer", "phone_support"),
    ("det haster virkelig", "urgent"),
    ("hvad er 2. linje support", "second_line"),
    ("hvad skal jeg skrive i min henvendelse", "what_to_include"),
    ("vi er lige startet på en prøveperiode", "new_customer"),
    ("hvordan kontakter jeg jer", "contact_support"),
    ("skal i sætte vores kontoplan op", "system_setup"),
])
def test_danish_policy_questions_are_recognised_in_free_text(question, topic):
    assert policy_topic_in(question).name == topic


@pytest.mark.parametrize("report", ["min ordre er ikke overført", "fakturaen mangler moms"])
def test_danish_problem_reports_are_no_policy_question(report):
    assert policy_topic_in(report) is None
