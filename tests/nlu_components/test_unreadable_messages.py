from rasa.shared.nlu.training_data.message import Message

from nlu_components.unreadable_messages import UnreadableMessageClassifier, has_latin_letter


def classify(text: str) -> Message:
    message = Message(data={"text": text, "intent": {"name": "affirm", "confidence": 0.62},
                            "intent_ranking": [{"name": "affirm", "confidence": 0.62}],
                            "entities": []})
    return UnreadableMessageClassifier().process([message])[0]


def test_latin_script_including_danish_letters_is_readable():
    assert has_latin_letter("min ordre er ikke overført")
    assert has_latin_letter("å")
    assert not has_latin_letter("😀🔥 你好，世界 Привет 12345")
    assert not has_latin_letter("")


def test_messages_without_a_latin_letter_become_not_understood():
    for text in ("", "   ", "😀🔥", "你好，世界", "Привет"):
        assert classify(text).get("intent")["name"] == "nlu_fallback"


def test_readable_messages_keep_the_models_intent():
    assert classify("yes").get("intent")["name"] == "affirm"
