"""Take a message the model half-believes is a problem report for one, when it names a known
kind of problem.

The intent model is unsure about problem reports written as a bare symptom ("the variants
without a sku wont transfer"): report_problem comes first, but below the fallback threshold, and
the message would be answered as not understood. A report that says what is missing ("some
products have no sku and now the orders fail") reads partly like the answer "I have no example"
(no_example), with report_problem a close second. When report_problem is the model's best guess
besides those, and the problem catalogue (support_core/problems.py) recognises the kind of
problem in the text, the two together are enough: the customer gets the self-help for that kind
of problem. A no_example must also say that something went wrong ("fails", "kommer ikke over"):
"no, it's all orders" answers the form's question and stays an answer.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from support_core.problems import OTHER, PROBLEM_INTENT, problem_for, tells_a_failure

#: The answer "I have no example", which a report of something missing can be taken for.
NO_EXAMPLE_INTENT = "no_example"
#: The intents a problem report can be mistaken for: not understood, or "I have no example".
MISTAKABLE_INTENTS = (DEFAULT_NLU_FALLBACK_INTENT_NAME, NO_EXAMPLE_INTENT)


def best_guess(ranking: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The model's most likely intent other than those a problem report is mistaken for."""
    return next((item for item in ranking
                 if item.get(INTENT_NAME_KEY) not in MISTAKABLE_INTENTS), None)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class ProblemReportRecogniser(GraphComponent, IntentClassifier):
    """Turns a fallback or a no_example back into report_problem when the catalogue knows the
    problem."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Below this the model's guess is too weak, whatever the words.
        return {"min_confidence": 0.35}

    def __init__(self, config: dict[str, Any]) -> None:
        self.min_confidence = float({**self.get_default_config(), **config}["min_confidence"])

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ProblemReportRecogniser:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) not in MISTAKABLE_INTENTS:
                continue
            text = message.get(TEXT) or ""
            if intent[INTENT_NAME_KEY] == NO_EXAMPLE_INTENT and not tells_a_failure(text):
                continue
            guess = best_guess(message.get(INTENT_RANKING_KEY) or [])
            if (guess is None or guess[INTENT_NAME_KEY] != PROBLEM_INTENT
                    or guess[PREDICTED_CONFIDENCE_KEY] < self.min_confidence
                    or problem_for(text).category == OTHER):
                continue
            message.set(INTENT, dict(guess), add_to_output=True)
        return messages
