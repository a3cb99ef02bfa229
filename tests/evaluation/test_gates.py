"""The quality gates per language."""
import json

from evaluation import gates


def test_a_gate_differs_for_a_language_only_where_listed_and_only_downwards():
    assert gates.minimum("MIN_ARTICLE_SHOWN", "en") == gates.MIN_ARTICLE_SHOWN
    assert gates.minimum("MIN_DIALOGUE_TURNS", "da") == gates.MIN_DIALOGUE_TURNS
    for language, lower in gates.BELOW_THE_GATE_FOR_NOW.items():
        for gate, level in lower.items():
            assert gates.minimum(gate, language) == level < getattr(gates, gate)


def _report(folder, language, f1):
    (folder / f"intent_report_{language}.json").write_text(
        json.dumps({"macro avg": {"f1-score": f1}}))


def test_the_nlu_gate_fails_when_one_language_is_below_its_level(tmp_path):
    _report(tmp_path, "en", 0.95)
    _report(tmp_path, "da", 0.95)
    assert gates.check_nlu(tmp_path) == 0
    _report(tmp_path, "en", gates.MIN_NLU_MACRO_F1 - 0.01)
    assert gates.check_nlu(tmp_path) == 1
