"""Check the help articles before they are published: front matter, urls, bodies, duplicates.

Usage: python scripts/check_articles.py [folder]   (default: the configured articles folder)
Checks the English articles of the folder and their translations in its language subfolders
(da/): each translation needs an English article with its slug and leaves the systems to it.
Prints every problem as '<file>: <problem>' and exits 1 if there is any.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions import config  # noqa: E402
from actions.articles import TRANSLATIONS, check_articles, language_folder  # noqa: E402


def main(arguments: list[str]) -> int:
    """Print the problems of every article in the folder; return the exit status."""
    folder = Path(arguments[0]) if arguments else config.ARTICLES_DIR
    if not folder.is_dir():
        print(f"{folder}: no such folder")
        return 1
    results = check_articles(folder)
    if not results:
        print(f"{folder}: no articles (*.md) found")
        return 1
    problems = [(path, problem) for path, found in results.items() for problem in found]
    for path, problem in problems:
        print(f"{path}: {problem}")
    if problems:
        return 1
    counts = Counter(path.parent for path in results)
    print(
        f"{counts[folder]} articles OK"
        + "".join(
            f", {counts[language_folder(folder, code)]} translated into {code}"
            for code in TRANSLATIONS
            if counts[language_folder(folder, code)]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
