"""Check the help articles before they are published: front matter, urls, bodies, duplicates.

Usage: python scripts/check_articles.py [folder]   (default: the configured articles folder)
Prints every problem as '<file>: <problem>' and exits 1 if there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions import config  # noqa: E402
from actions.articles import check_articles  # noqa: E402


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
    print(f"{len(results)} articles OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
