"""Words the actions put together themselves (the case summary's labels), read from domain.yml.

Whole messages are responses that Rasa words in the conversation's language. The few words an
action assembles into a message are kept in domain.yml too, as the ``custom`` payload of a
response with a Danish variation, so all wording has one home.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from actions import config
from support_core.language import DEFAULT_LANGUAGE, variation_in

DOMAIN_FILE = config.PROJECT_ROOT / "domain.yml"


@lru_cache(maxsize=1)
def _responses() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]


def words(response: str, language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The ``custom`` words of a response in ``language``, English where a word has none."""
    variations = _responses()[response]
    english = variation_in(variations, DEFAULT_LANGUAGE).get("custom") or {}
    return {**english, **(variation_in(variations, language).get("custom") or {})}
