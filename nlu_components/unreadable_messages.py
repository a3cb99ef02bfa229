"""Treat messages the model cannot read (empty, only emoji, non-Latin script) as not understood.

DIET always picks some intent, and for text unlike anything it was trained on that guess can be
confident ("affirm" for an empty message). A message without a single Latin letter cannot be one
of our intents, so it is marked not understood whatever the model guessed.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message


def has_latin_letter(text: str) -> bool:
    """True if the text holds at least one letter of the Latin script (æ, ø and å included)."""
    return any(
        character.isalpha() and "LATIN" in unicodedata.name(character, "")
        for character in text or ""
    )


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class UnreadableMessageClassifier(GraphComponent, IntentClassifier):
    """Sets the fallback intent for messages without any Latin letter."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnreadableMessageClassifier:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if has_latin_letter(message.get(TEXT) or ""):
                continue
            fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                        PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
            message.set(ENTITIES, [], add_to_output=True)
        return messages
