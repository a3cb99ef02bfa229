"""scripts/check_articles.py: every problem as '<file>: <problem>', exit 1 when there is one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "check_articles.py"

GOOD = """---
slug: {slug}
title: Good article
url: https://support.iex.dk/en/articles/1-{slug}
systems: []
tags: [vat]
---
Some text.
"""


def run_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(folder)], capture_output=True, text=True, timeout=60
    )


def test_valid_articles_are_counted_and_pass(tmp_path):
    for slug in ("first", "second"):
        (tmp_path / f"{slug}.md").write_text(GOOD.format(slug=slug), encoding="utf-8")
    result = run_check(tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "2 articles OK"


def test_each_problem_is_printed_with_its_file_and_fails(tmp_path):
    (tmp_path / "first.md").write_text(GOOD.format(slug="first"), encoding="utf-8")
    broken = tmp_path / "broken.md"
    broken.write_text(GOOD.format(slug="other").replace("https://", "http://"), encoding="utf-8")
    result = run_check(tmp_path)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert f"{broken}: slug 'other' differs from the file name 'broken'" in lines
    assert any(line.startswith(f"{broken}: url ") for line in lines)
    assert "articles OK" not in result.stdout


def test_an_empty_or_missing_folder_fails(tmp_path):
    assert run_check(tmp_path).returncode == 1
    assert run_check(tmp_path / "missing").returncode == 1


def test_the_published_articles_pass():
    result = run_check(PROJECT_ROOT / "data" / "articles")
    assert result.returncode == 0, result.stdout


DANISH = """---
slug: {slug}
title: Godt indlæg
url: https://support.iex.dk/da/articles/1-{slug}
tags: [moms]
---
Noget tekst.
"""


def test_danish_articles_are_checked_and_counted(tmp_path):
    (tmp_path / "first.md").write_text(GOOD.format(slug="first"), encoding="utf-8")
    (tmp_path / "da").mkdir()
    (tmp_path / "da" / "first.md").write_text(DANISH.format(slug="first"), encoding="utf-8")
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "1 articles OK, 1 translated into da"


def test_a_danish_article_without_an_english_one_fails(tmp_path):
    (tmp_path / "first.md").write_text(GOOD.format(slug="first"), encoding="utf-8")
    (tmp_path / "da").mkdir()
    orphan = tmp_path / "da" / "second.md"
    orphan.write_text(DANISH.format(slug="second"), encoding="utf-8")
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert f"{orphan}: slug 'second' has no English article second.md to translate" in (
        result.stdout.splitlines()
    )
