"""3-fold cross-validation of the NLU on fixed folds, so the gate measures a change in the data
or the pipeline rather than a new random draw of the folds.

Usage: python -m evaluation.cross_validation [--out reports/nlu]
Rasa's own fold split (scikit-learn's StratifiedKFold with shuffling) after seeding the random
generator it draws from, Rasa's training and scoring; but only the held-out folds are scored
(`rasa test nlu --cross-validation` scores every training fold as well, which doubles the time
and gives nothing the gate reads), and without the language detector, whose entity has no
labels to be scored against (the faq topic the intent classifier picks is measured by the
dialogue sets). One model learns both languages; its
held-out predictions are scored overall (intent_report.json, entity reports) and per language
(intent_report_en.json, intent_report_da.json): Danish examples are those under data/nlu/da/.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from bot.config import PROJECT_ROOT
from support_core.language import DEFAULT_LANGUAGE, LANGUAGES

FOLDS = 3
SEED = 42
NLU_DATA = PROJECT_ROOT / "data" / "nlu"
CONFIG_FILE = PROJECT_ROOT / "config.yml"
#: Pipeline components left out of the cross-validation (see above).
NOT_SCORED = frozenset({"nlu_components.language_detector.LanguageDetector"})


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
        truth = [item["intent"] for item in mine]
        # Averaged over the language's own intents: a wrong guess counts against the intent
        # missed, not as an extra class (no Danish example is "chat in another language").
        report = classification_report(
            truth, [item["intent_prediction"]["name"] or "" for item in mine],
            labels=sorted(set(truth)), output_dict=True, zero_division=0,
        )
        (out / f"intent_report_{language}.json").write_text(json.dumps(report, indent=2))
        scores[language] = report["macro avg"]["f1-score"]
    return scores


def intent_config(config_file: Path = CONFIG_FILE) -> dict:
    """The NLU pipeline of config.yml without the components the intent gate does not read."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["pipeline"] = [component for component in config["pipeline"]
                          if component["name"] not in NOT_SCORED]
    config.pop("policies", None)
    return config


async def held_out_predictions(out: Path, folds: int = FOLDS) -> None:
    """Train on each fold's rest, predict the fold, and write Rasa's reports of all predictions."""
    import rasa.model_training
    from rasa.core.agent import Agent
    from rasa.nlu import test as nlu_test
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(NLU_DATA))
    intents, entities = [], []
    with tempfile.TemporaryDirectory(prefix="iex-cv-") as work:
        config_path, data_path = Path(work) / "config.yml", Path(work) / "training_data.yml"
        config_path.write_text(yaml.safe_dump(intent_config()), encoding="utf-8")
        for train, test in nlu_test.generate_folds(folds, data):
            RasaYAMLWriter().dump(data_path, train)
            model = rasa.model_training.train_nlu(str(config_path), str(data_path), work)
            processor = Agent.load(model).processor
            await nlu_test.combine_result(defaultdict(list), defaultdict(lambda: defaultdict(
                list)), defaultdict(list), processor, test, intents, entities, [])
    out.mkdir(parents=True, exist_ok=True)
    nlu_test.evaluate_intents(intents, str(out), True, True, True, report_as_dict=True)
    nlu_test.evaluate_entities(entities, nlu_test._get_active_entity_extractors(entities),
                               str(out), False, True, True, report_as_dict=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "nlu"))
    arguments = parser.parse_args()
    random.seed(SEED)
    np.random.seed(SEED)
    from rasa.utils.log_utils import configure_structlog

    # Rasa's CLI sets this up; without it every parsed example is printed at debug level.
    configure_structlog(logging.INFO)
    asyncio.run(held_out_predictions(Path(arguments.out)))
    scores = write_language_reports(Path(arguments.out), example_languages())
    for language, score in scores.items():
        print(f"intent macro-F1, {language} examples: {score:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
