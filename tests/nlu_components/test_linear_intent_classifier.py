"""The intent classifier learns a retrieval intent's topics apart and predicts the intent."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.linear_intent_classifier import LinearIntentClassifier, normalise
from support_core.events import full_intent

EXAMPLES = {
    "faq/phone": ["can i call you", "what is your phone number", "can we talk on the phone"],
    "faq/hours": ["when are you open", "what are your opening hours", "are you open on sunday"],
    "greet": ["hello there", "hi", "good morning"],
}


def example(text: str, label: str) -> Message:
    intent, _, topic = label.partition("/")
    data = {"text": text, "intent": intent}
    if topic:
        data["intent_response_key"] = label
    return Message(data=data)


@pytest.fixture
def classifier(tmp_path) -> LinearIntentClassifier:
    component = LinearIntentClassifier.create(
        {}, LocalModelStorage(tmp_path), Resource("intents"),
        ExecutionContext(GraphSchema({}), "test"))
    component.train(TrainingData([example(text, label) for label, texts in EXAMPLES.items()
                                  for text in texts]))
    return component


def test_a_topic_is_learnt_as_a_class_and_predicted_as_its_intent(classifier):
    assert sorted(classifier.model.classes_) == ["faq/hours", "faq/phone", "greet"]
    [message] = classifier.process([Message(data={"text": "what is your phone number"})])
    assert message.get("intent")["name"] == "faq"
    ranking = message.get("intent_ranking")
    assert [item["name"] for item in ranking] == ["faq", "greet"]
    assert sum(item["confidence"] for item in ranking) == pytest.approx(1.0)
    assert message.get("intent")["confidence"] == ranking[0]["confidence"]


def test_the_topics_together_outweigh_another_intent(classifier):
    [message] = classifier.process([Message(data={"text": "hello, are you open"})])
    confidences = {item["name"]: item["confidence"] for item in message.get("intent_ranking")}
    topics = classifier.model.predict_proba(["hello, are you open"])[0]
    by_class = dict(zip(classifier.model.classes_, topics, strict=True))
    assert confidences["faq"] == pytest.approx(by_class["faq/hours"] + by_class["faq/phone"])


def test_a_system_name_is_one_token_and_its_digits_are_no_order_number():
    words = normalise("Dynamics 365 Business Central lost order 10023").split()
    assert words == ["systemname", "lost", "order", "000"]


def test_the_most_likely_topic_is_the_selected_answer(classifier):
    [message] = classifier.process([Message(data={"text": "can we call you on the phone"})])
    selected = message.get("response_selector")
    assert selected["all_retrieval_intents"] == ["faq"]
    answer = selected["faq"]["response"]
    assert answer["intent_response_key"] == "faq/phone"
    assert answer["utter_action"] == "utter_faq/phone"
    ranking = selected["faq"]["ranking"]
    assert [item["intent_response_key"] for item in ranking] == ["faq/phone", "faq/hours"]
    assert sum(item["confidence"] for item in ranking) == pytest.approx(1.0)
    assert answer["confidence"] == ranking[0]["confidence"]


def test_the_selected_answer_is_read_as_the_full_intent(classifier):
    [message] = classifier.process([Message(data={"text": "what are your opening hours"})])
    assert full_intent(message.as_dict(only_output_properties=True)) == "faq/hours"


def test_without_a_retrieval_intent_nothing_is_selected(tmp_path):
    component = LinearIntentClassifier.create(
        {}, LocalModelStorage(tmp_path), Resource("intents"),
        ExecutionContext(GraphSchema({}), "test"))
    component.train(TrainingData([example("hello there", "greet"), example("bye", "goodbye")]))
    [message] = component.process([Message(data={"text": "hello"})])
    assert message.get("response_selector") is None
