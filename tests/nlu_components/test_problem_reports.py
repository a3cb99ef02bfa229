"""A fallback or a no_example whose best other guess is a problem report of a known kind is a
problem report."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.config import PROJECT_ROOT
from nlu_components.problem_reports import ProblemReportRecogniser

NLU = PROJECT_ROOT / "data" / "nlu"


def parsed(text: str, *ranking: tuple[str, float]) -> Message:
    """A message as the FallbackClassifier leaves it: nlu_fallback, then the model's ranking."""
    items = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    fallback = {"name": "nlu_fallback", "confidence": 0.55}
    return Message(data={"text": text, "intent": fallback, "intent_ranking": [fallback, *items]})


def recognised(message: Message) -> str:
    return ProblemReportRecogniser({}).process([message])[0].get("intent")["name"]


@pytest.mark.parametrize("text", [
    "the variants without a sku wont transfer, only the main products do",
    "klarna orders go into e-conomic as unpaid",
    "varerne bliver ikke oprettet i dinero",
])
def test_a_known_kind_of_problem_with_report_problem_first_is_a_problem_report(text):
    message = parsed(text, ("report_problem", 0.5), ("ask_howto", 0.4))
    assert recognised(message) == "report_problem"
    assert message.get("intent")["confidence"] == 0.5


def test_words_the_catalogue_does_not_know_stay_not_understood():
    assert recognised(parsed("purple monkey dishwasher", ("report_problem", 0.5))) == "nlu_fallback"


def test_another_best_guess_or_a_weak_one_stays_not_understood():
    orders = "order 1043 did not arrive in e-conomic"
    assert recognised(parsed(orders, ("ask_howto", 0.5), ("report_problem", 0.4))) == "nlu_fallback"
    assert recognised(parsed(orders, ("report_problem", 0.3), ("ask_howto", 0.2))) == "nlu_fallback"


def test_a_confident_intent_is_left_alone():
    message = Message(data={"text": "how do i book orders in e-conomic",
                            "intent": {"name": "ask_howto", "confidence": 0.8},
                            "intent_ranking": [{"name": "ask_howto", "confidence": 0.8}]})
    assert recognised(message) == "ask_howto"


def said_no_example(text: str, *ranking: tuple[str, float]) -> Message:
    """A message the model took for "I have no example", with the rest of its ranking."""
    first = {"name": "no_example", "confidence": 0.55}
    items = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": first, "intent_ranking": [first, *items]})


@pytest.mark.parametrize("text", [
    "some products have no sku and now the orders fail",
    "nogle varer har ikke noget varenummer og nu fejler ordrerne",
])
def test_a_report_of_something_missing_read_as_no_example_is_a_problem_report(text):
    assert recognised(said_no_example(text, ("report_problem", 0.4))) == "report_problem"


def test_no_example_given_stays_no_example():
    # "no sku" names a kind of problem, but the model hardly thinks it reports one.
    assert recognised(said_no_example("no sku", ("report_problem", 0.02))) == "no_example"
    assert recognised(said_no_example("i dont have one", ("report_problem", 0.4))) == "no_example"


@pytest.mark.parametrize("path", [NLU / "handoff.yml", NLU / "da" / "handoff.yml"])
def test_no_answer_the_model_learnt_as_no_example_is_taken_for_a_problem_report(path):
    # Even with report_problem a close second: half of them name a kind of problem ("no order
    # number", "ingen ordrenumre"), none says that something went wrong.
    answers = [example.get("text") for example in load_data(str(path)).intent_examples
               if example.get("intent") == "no_example"]
    assert len(answers) > 50
    taken = [text for text in answers
             if recognised(said_no_example(text, ("report_problem", 0.4))) != "no_example"]
    assert taken == []
