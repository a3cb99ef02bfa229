"""Train a model unless the newest one in models/ was trained from exactly the current files.

`rasa train` always packages a new model (reusing cached components through Rasa's own
fingerprints), and `rasa train --dry-run` ignores changed responses, so this keeps a content
hash of everything training reads next to the models and compares it first.

Usage: python scripts/train_if_needed.py [--force]
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = PROJECT_ROOT / "models"
FINGERPRINT_FILE = MODELS_DIR / "training-files.sha256"
#: Everything a trained model depends on: domain, pipeline and policies, training data, and the
#: custom NLU components the pipeline loads.
TRAINING_INPUTS = ("domain.yml", "config.yml", "data/nlu", "data/rules", "data/stories",
                   "nlu_components")


def training_files() -> list[Path]:
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = PROJECT_ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        files += [item for item in candidates if item.is_file() and item.suffix in (".yml", ".py")]
    return files


def fingerprint() -> str:
    """A hash of the names and contents of every training input."""
    digest = hashlib.sha256()
    for path in training_files():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def model_is_current(current: str) -> bool:
    has_model = any(MODELS_DIR.glob("*.tar.gz"))
    return has_model and FINGERPRINT_FILE.is_file() and FINGERPRINT_FILE.read_text() == current


def main(arguments: list[str]) -> int:
    current = fingerprint()
    if "--force" not in arguments and model_is_current(current):
        print("The model in models/ was trained from the current data, domain and config; "
              "not retraining (make train-force retrains).")
        return 0
    rasa = Path(sys.executable).parent / "rasa"
    command = [str(rasa), "train", "--domain", "domain.yml", "--data", "data",
               "--config", "config.yml", "--out", str(MODELS_DIR)]
    result = subprocess.run(command, cwd=PROJECT_ROOT)
    if result.returncode == 0:
        FINGERPRINT_FILE.write_text(current)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
