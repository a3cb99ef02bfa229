"""The README shows every screenshot the browser tests take, from the copies in docs/screenshots."""
from __future__ import annotations

import re

from bot.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
BROWSER_TESTS = [
    PROJECT_ROOT / "tests" / "e2e" / "test_widget_browser.py",
    PROJECT_ROOT / "tests" / "e2e" / "test_inbox_browser.py",
]
#: A screenshot's file name as a browser test writes it; {size} stands for desktop and phone.
_TAKEN = re.compile(r"""["'](\w+-(?:\{size_name\(\w+\)\}-)?[\w-]*\.png)["']""")
_LINKED = re.compile(r"\]\((docs/screenshots/[\w-]+\.png)\)")


def taken_by_the_browser_tests() -> set[str]:
    names = set()
    for test_file in BROWSER_TESTS:
        for name in _TAKEN.findall(test_file.read_text(encoding="utf-8")):
            sizes = ("desktop", "phone") if "{" in name else (None,)
            names |= {re.sub(r"\{size_name\(\w+\)\}", size or "", name) for size in sizes}
    return names


def linked_from_the_readme() -> set[str]:
    return set(_LINKED.findall(README.read_text(encoding="utf-8")))


def test_every_screenshot_the_browser_tests_take_is_linked_from_the_readme():
    taken = {f"docs/screenshots/{name}" for name in taken_by_the_browser_tests()}
    assert len(taken) > 20  # the pattern still finds them
    assert sorted(taken - linked_from_the_readme()) == []


def test_every_linked_screenshot_is_in_the_repository():
    missing = [link for link in linked_from_the_readme() if not (PROJECT_ROOT / link).is_file()]
    assert missing == [], "run `make screenshots` and commit docs/screenshots"
