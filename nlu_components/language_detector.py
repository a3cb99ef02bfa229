"""Tell which language a message is in, as the entity ``language`` that fills the slot of that name.

The entity is set only when the message itself is clearly Danish or English, or when it carries
the page's language as a hint (the widget sends one with a conversation's first message). Short
answers set nothing, so the slot keeps the conversation's language. A customer who asks to chat
in a language (intent switch_language: "can we do this in Danish?") gets the language they name,
whatever language they asked in.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from support_core.language import LANGUAGE_SLOT, message_language, named_language

#: The entity that fills the slot of the conversation's language (and has its name).
LANGUAGE_ENTITY = LANGUAGE_SLOT
#: The message metadata key of the page's language.
PAGE_LANGUAGE = "page_language"
#: The intent of a customer asking to chat in another language the assistant speaks.
SWITCH_LANGUAGE_INTENT = "switch_language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds a ``language`` entity ("en" or "da") to messages whose language is clear."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get("metadata") or {}
            hint = metadata.get(PAGE_LANGUAGE) if isinstance(metadata, dict) else None
            text = message.get(TEXT) or ""
            language = message_language(text, hint)
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == SWITCH_LANGUAGE_INTENT:
                language = named_language(text) or language
            if language is None:
                continue
            entity = {"entity": LANGUAGE_ENTITY, "value": language, "start": 0,
                      "end": len(text), "extractor": type(self).__name__}
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
