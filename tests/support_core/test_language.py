"""Which language a message sets for its conversation."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu_components.language_detector import LanguageDetector
from support_core.language import (
    detect,
    language_code,
    language_of,
    message_language,
    named_language,
)


@pytest.mark.parametrize("text", [
    "min ordre er ikke blevet overført til e-conomic",
    "hvorfor er min faktura en kladde",
    "lagertal opdateres ikke i shopify",
    "fejl i totals validation paa ordre 3344",  # an English log status quoted in Danish
    "min ordre er ikke overfoert til economic",  # ae/oe/aa for æ/ø/å
    "kan i ringe mig op",
])
def test_danish_messages_are_danish(text):
    assert detect(text) == "da"


@pytest.mark.parametrize("text", [
    "my order did not transfer to e-conomic",
    "error in totals validation on order 3344",
    "the vat is wrong on our invoices",
    "thanks for the help",
])
def test_english_messages_are_english(text):
    assert detect(text) == "en"


@pytest.mark.parametrize("text", [
    "ok", "ja", "ja tak", "yes", "no", "tak", "10023", "ordre 1234", "shopify og dinero",
    "kunde@webshop.dk", "SKU-RED-42, SKU-BLUE-7", "", "🙂",
])
def test_short_answers_names_and_numbers_tell_no_language(text):
    assert detect(text) is None


def test_the_pages_hint_counts_only_when_the_message_tells_nothing():
    assert message_language("ok", "da") == "da"
    assert message_language("my order did not transfer to e-conomic", "da") == "en"
    assert message_language("ok", None) is None
    assert message_language("ok", "de") is None


def test_language_codes_are_read_leniently_and_default_to_english():
    assert language_code("da-DK") == "da"
    assert language_code(" EN ") == "en"
    assert language_code("de") is None
    assert language_code(["da"]) is None
    assert language_of(None) == "en"
    assert language_of("da") == "da"


def _entities(text: str, metadata: dict | None = None, intent: str | None = None) -> list[dict]:
    message = Message(data={"text": text, "metadata": metadata or {}})
    if intent:
        message.set("intent", {"name": intent, "confidence": 0.9})
    LanguageDetector().process([message])
    return [entity for entity in message.get("entities", []) if entity["entity"] == "language"]


def test_the_nlu_sets_the_language_entity_only_when_it_is_clear():
    assert [entity["value"] for entity in _entities("mine ordrer bliver ikke overført")] == ["da"]
    assert _entities("ok") == []
    assert [entity["value"] for entity in _entities("ok", {"page_language": "da"})] == ["da"]


@pytest.mark.parametrize("text", [
    "The customer Søren Jørgensen was created twice",
    "Order from Århus is missing today",
])
def test_danish_names_do_not_make_an_english_message_danish(text):
    assert detect(text) == "en"


@pytest.mark.parametrize("text", [
    "Skipped - Order not in allowed states",
    "Error in totals validation",
    "kort: [card number removed]",
])
def test_quoted_log_statuses_and_removal_markers_tell_no_language(text):
    assert detect(text) is None


@pytest.mark.parametrize(("text", "language"), [
    ("can we do this in Danish?", "da"),
    ("kan du svare på engelsk", "en"),
    ("DANSK TAK", "da"),
    ("english please", "en"),
    ("danish or english, whatever", None),
    ("can we write in Danish instead of English?", "da"),
    ("can you reply in english instead of danish", "en"),
    ("I don't speak Danish", "en"),
    ("jeg forstår ikke engelsk", "da"),
    ("hvordan håndteres dansk moms", "da"),
    ("my order did not transfer", None),
])
def test_the_language_a_message_names(text, language):
    assert named_language(text) == language


def test_asking_for_a_language_sets_it_whatever_language_the_question_is_in():
    def values(text, intent):
        return [entity["value"] for entity in _entities(text, intent=intent)]

    assert values("can we do this in danish please", "switch_language") == ["da"]
    assert values("kan vi skrive på engelsk i stedet", "switch_language") == ["en"]
    # A language named in another kind of message is only a word of it.
    assert values("the danish vat is wrong on this order", "report_problem") == ["en"]
    # A request naming no language keeps what the text itself says.
    assert values("can we switch language please", "switch_language") == ["en"]
