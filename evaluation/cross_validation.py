"""3-fold cross-validation of the NLU on fixed folds, so the gate measures a change in the data
or the pipeline rather than a new random draw of the folds.

Usage: python -m evaluation.cross_validation [--out reports/nlu]
Runs `rasa test nlu --cross-validation` in this process after seeding the random generator that
Rasa's fold split (scikit-learn's StratifiedKFold with shuffling) draws from. One model learns
both languages; its held-out predictions are then scored per language as well
(intent_report_en.json, intent_report_da.json): Danish examples are those under data/nlu/da/.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT
from support_core.language import DEFAULT_LANGUAGE, LANGUAGES

FOLDS = 3
SEED = 42
NLU_DATA = PROJECT_ROOT / "data" / "nlu"


def _examples_in(folder: Path, recursive: bool) -> set[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    files = sorted(folder.rglob("*.yml") if recursive else folder.glob("*.yml"))
    return {message.get("text") for path in files
            for message in load_data(str(path)).intent_examples}


def example_languages(data: Path = NLU_DATA) -> dict[str, str]:
    """The language of every training example's text: that of its folder (data/nlu/da/ is
    Danish, the files directly in data/nlu English)."""
    languages = {text: DEFAULT_LANGUAGE for text in _examples_in(data, recursive=False)}
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE and (data / language).is_dir():
            languages.update(dict.fromkeys(_examples_in(data / language, True), language))
    return languages


def write_language_reports(out: Path, languages: dict[str, str]) -> dict[str, float]:
    """Score the cross-validation's held-out intent predictions per language, as
    intent_report_<language>.json beside Rasa's own report; returns each macro-F1."""
    from sklearn.metrics import classification_report

    predictions = [
        item for name in ("intent_successes.json", "intent_errors.json")
        if (out / name).exists()
        for item in json.loads((out / name).read_text(encoding="utf-8"))
    ]
    scores = {}
    for language in LANGUAGES:
        mine = [item for item in predictions
                if languages.get(item["text"], DEFAULT_LANGUAGE) == language]
        if not mine:
            continue
        report = classification_report(
            [item["intent"] for item in mine],
            [item["intent_prediction"]["name"] or "" for item in mine],
            output_dict=True, zero_division=0,
        )
        (out / f"intent_report_{language}.json").write_text(json.dumps(report, indent=2))
        scores[language] = report["macro avg"]["f1-score"]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "nlu"))
    arguments = parser.parse_args()
    random.seed(SEED)
    np.random.seed(SEED)
    from rasa.__main__ import main as rasa_main

    sys.argv = [
        "rasa", "test", "nlu", "--nlu", str(PROJECT_ROOT / "data" / "nlu"),
        "--config", str(PROJECT_ROOT / "config.yml"), "--cross-validation",
        "--folds", str(FOLDS), "--out", arguments.out, "--successes",
    ]
    try:
        rasa_main()
    except SystemExit as exit_:
        if exit_.code:
            raise
    scores = write_language_reports(Path(arguments.out), example_languages())
    for language, score in scores.items():
        print(f"intent macro-F1, {language} examples: {score:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
