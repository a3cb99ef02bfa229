"""The training shortcut: retrain when anything training reads changes, and only then."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "train_if_needed.py"


@pytest.fixture
def trainer(tmp_path, monkeypatch):
    """The script's module, working on a copy of the project's training inputs."""
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    for name in ("data/nlu", "data/rules", "data/stories", "nlu_components"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    spec = importlib.util.spec_from_file_location("train_if_needed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(module, "MODELS_DIR", tmp_path / "models")
    monkeypatch.setattr(module, "FINGERPRINT_FILE", tmp_path / "models" / "training-files.sha256")
    (tmp_path / "models").mkdir()
    return module


def record_model(trainer) -> None:
    (trainer.MODELS_DIR / "20261127-000000-model.tar.gz").write_bytes(b"model")
    trainer.FINGERPRINT_FILE.write_text(trainer.fingerprint())


def test_an_unchanged_project_with_a_model_is_current(trainer):
    record_model(trainer)
    assert trainer.model_is_current(trainer.fingerprint())


def test_no_model_means_training(trainer):
    trainer.FINGERPRINT_FILE.write_text(trainer.fingerprint())
    assert not trainer.model_is_current(trainer.fingerprint())


@pytest.mark.parametrize("changed", ["domain.yml", "config.yml", "data/nlu/chitchat.yml",
                                     "data/rules/chitchat.yml", "data/stories/handoff.yml"])
def test_a_change_to_any_training_input_means_training(trainer, changed):
    record_model(trainer)
    path: Path = trainer.PROJECT_ROOT / changed
    path.write_text(path.read_text() + "\n# edited\n")
    assert not trainer.model_is_current(trainer.fingerprint())
