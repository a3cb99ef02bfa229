"""3-fold cross-validation of the NLU on fixed folds, so the gate measures a change in the data
or the pipeline rather than a new random draw of the folds.

Usage: python -m evaluation.cross_validation [--out reports/nlu]
Runs `rasa test nlu --cross-validation` in this process after seeding the random generator that
Rasa's fold split (scikit-learn's StratifiedKFold with shuffling) draws from.
"""
from __future__ import annotations

import argparse
import random
import sys

import numpy as np

from bot.config import PROJECT_ROOT

FOLDS = 3
SEED = 42


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
        "--folds", str(FOLDS), "--out", arguments.out,
    ]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
