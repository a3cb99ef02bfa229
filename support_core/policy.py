"""The support-policy topics the assistant explains, and how to recognise them in free text.

The NLU answers most policy questions through its own intents (``faq/<topic>`` and the four
``ask_*``/``flag_urgent`` intents). A message the NLU is unsure about is searched here before the
help articles, so "can I just ring you lot" still hears that phone support is billable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyTopic:
    """One policy answer: the intent that asks for it, its response, and the words that name it."""

    name: str
    #: The intent (or retrieval intent) whose rule gives this answer.
    intent: str
    #: The response that answers it (wording in domain.yml).
    response: str
    #: Whether the answer ends with the offer to write the case up.
    offers_handoff: bool
    #: What a question about it contains (regex, case-insensitive).
    pattern: str
    #: The help article the answer cites.
    article: str = "guidelines-for-iex-support"


def _any(*alternatives: str) -> str:
    return "|".join(alternatives)


POLICY_TOPICS: tuple[PolicyTopic, ...] = (
    PolicyTopic("response_time", "ask_response_time", "utter_response_time", False, _any(
        r"(how long|how fast|how quick|when).{0,40}\b(answer|reply|respond|hear|get back)",
        r"heard? (back|anything|nothing)", r"response time", r"svartid",
        r"(no|still no|waiting for an?) (answer|reply|response)",
        r"\d+ (business |working )?days? (since|ago)",
        r"hvor (lang tid|hurtigt|længe|laenge|hurtig).{0,40}\b(svar|vende tilbage|høre|hoere)",
        r"hvornår (får|faar|kan) (jeg|vi) (et )?svar", r"(intet|ikke fået|ikke faaet|ingen) svar",
        r"\d+ (hver|arbejds)?dag(e)? siden",
    )),
    PolicyTopic("phone_support", "ask_phone_support", "utter_phone_support", True, _any(
        r"\b(phone|call|ring|telephone)\s+(you|support|us|someone|iex|the support)",
        r"\b(phone|telephone) (support|number|line|hours)", r"\b(by|on the|over the) phone\b",
        r"\bcan i (call|ring|phone)\b", r"\b(tlf|telefon|hotline)\b",
        r"\bringe? (til )?(jer|support|iex|mig op)", r"\btelefon\w*\b",
    )),
    PolicyTopic("urgent", "flag_urgent", "utter_urgent_policy", True, _any(
        r"\burgent", r"\basap\b", r"\bemergency\b", r"\bprioriti[sz]", r"\bhaster\b",
        r"\bakut", r"\bprioriter", r"\bhurtigst muligt\b",
    )),
    PolicyTopic("second_line", "faq/second_line", "utter_faq/second_line", False, _any(
        r"\b(2nd|second)[ -]?line", r"\bescalat", r"\b(2\.?|anden) ?linje", r"\beskal",
    )),
    PolicyTopic("plugin_support", "faq/plugin_support", "utter_faq/plugin_support", False, _any(
        r"\bplug-?ins?\b", r"\bb2b\b",
    )),
    PolicyTopic("what_to_include", "faq/what_to_include", "utter_faq/what_to_include", False, _any(
        r"what (info|information|details?)\b.{0,40}\b(need|include|send|give|write|put)",
        r"what (should|do) i (write|include|send|put)", r"what do you need (from|to know)",
        r"hvad (skal|bør|boer) (jeg|vi) (skrive|sende|have med|oplyse)",
        r"hvilke (oplysninger|info\w*) (skal|har) (i|du|jeg)",
    )),
    PolicyTopic("new_customer", "faq/new_customer", "utter_faq/new_customer", False, _any(
        r"\btrial\b", r"\bjust (signed|started|bought|joined)", r"\bnew (customer|here|user)",
        r"\bgetting started\b", r"where (do|should) i (start|begin)",
        r"\bprøveperiode\b|\bproeveperiode\b", r"\bny (kunde|bruger)\b",
        r"hvor (skal|starter) (jeg|vi) (starte|begynde|henne)",
    ), article="how-does-the-integration-work"),
    PolicyTopic("customer_responsibility", "faq/customer_responsibility",
                "utter_faq/customer_responsibility", False, _any(
        r"(my|our) (responsibility|job)", r"who(se)? (is )?responsib",
        r"(check|go through|review) (my|our) (setup|systems?|shop)",
        r"(mit|vores) ansvar", r"hvem (har|er) ansvar",
    )),
    PolicyTopic("system_setup", "faq/system_setup", "utter_faq/system_setup", False, _any(
        r"\b(theme|chart of accounts|account plan|invoice layout|invoice template)\b",
        r"\b(kontoplan\w*|fakturalayout\w*|fakturaskabelon\w*|tema\w*)\b",
    )),
    PolicyTopic("contact_support", "ask_contact_support", "utter_contact_support", True, _any(
        r"(contact|reach|e-?mail|write to|get hold of) (you|support|the support|iex)",
        r"support (e-?mail|address)",
        r"(kontakt\w*|fat i|skrive til|maile til|e-?maile) (jeg |vi )?(jer|support\w*|iex)",
        r"support\w* (e-?mail|mail|adresse)",
    )),
)

_PATTERNS = {topic.name: re.compile(topic.pattern, re.IGNORECASE) for topic in POLICY_TOPICS}
_BY_INTENT = {topic.intent: topic for topic in POLICY_TOPICS}


def policy_topic_in(text: str) -> PolicyTopic | None:
    """The first policy topic the text asks about, in the catalogue's order."""
    for topic in POLICY_TOPICS:
        if _PATTERNS[topic.name].search(text or ""):
            return topic
    return None


def topic_for_intent(intent: str | None) -> PolicyTopic | None:
    """The policy topic an intent (``faq/second_line``, ``ask_phone_support``) asks about."""
    return _BY_INTENT.get(intent or "")
