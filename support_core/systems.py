"""The systems IEX connects, as the NLU synonyms in data/nlu/systems.yml name them.

That file is the one list of system names: each `- synonym:` entry is a canonical name and its
examples are the other ways customers write it. Everything else reads it through this module.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SYSTEMS_FILE = PROJECT_ROOT / "data" / "nlu" / "systems.yml"

# Customers write the same name with or without hyphens, dots and spaces: "e-conomic",
# "economic", "e conomic"; "visma.net", "vismanet".
_SEPARATORS = re.compile(r"[\s.\-_]+")


def read_systems(path: Path | str) -> dict[str, tuple[str, ...]]:
    """The canonical system names of an NLU file and their aliases, in the file's order."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    systems: dict[str, tuple[str, ...]] = {}
    for item in document.get("nlu") or []:
        if not isinstance(item, dict) or "synonym" not in item:
            continue
        canonical = str(item["synonym"]).strip()
        aliases = []
        for line in str(item.get("examples") or "").splitlines():
            alias = line.strip().removeprefix("-").strip()
            if alias and alias not in aliases:
                aliases.append(alias)
        systems[canonical] = tuple(aliases)
    return systems


@cache
def _systems() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(read_systems(SYSTEMS_FILE).items())


def known_systems() -> dict[str, tuple[str, ...]]:
    """Every canonical system name with its aliases, read once from data/nlu/systems.yml."""
    return dict(_systems())


def _key(name: str) -> str:
    """The comparable form of a name: lower case, without hyphens, dots and spaces."""
    return _SEPARATORS.sub("", name.lower())


@cache
def _canonical_by_key() -> dict[str, str]:
    names: dict[str, str] = {}
    for canonical, aliases in _systems():
        for name in (canonical, *aliases):
            names.setdefault(_key(name), canonical)
    return names


def canonical_system(text: str) -> str | None:
    """The canonical name of the system a word or phrase names ("woo" is WooCommerce), or None."""
    if not isinstance(text, str):
        return None
    return _canonical_by_key().get(_key(text))


def _name_pattern(name: str) -> str:
    """A name as a pattern that accepts the name with or without separators between its parts."""
    parts = [re.escape(part) for part in _SEPARATORS.split(name.lower()) if part]
    return r"[\s.\-_]*".join(parts)


@cache
def _names_in_text() -> re.Pattern[str]:
    names = {name for canonical, aliases in _systems() for name in (canonical, *aliases)}
    # Longest first, so the alternation prefers "shopify pos" to "shopify" at the same place.
    ordered = sorted(names, key=lambda name: (-len(_key(name)), name))
    alternatives = "|".join(_name_pattern(name) for name in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def systems_in(text: str) -> list[str]:
    """The canonical names of every known system named in free text, in order, each once."""
    if not isinstance(text, str) or not _systems():
        return []
    found: list[str] = []
    for match in _names_in_text().finditer(text):
        canonical = canonical_system(match.group())
        if canonical and canonical not in found:
            found.append(canonical)
    return found


def without_system_names(text: str, replacement: str = " ") -> str:
    """The text with every known system name taken out (they read the same in any language), or
    replaced by ``replacement``."""
    if not isinstance(text, str) or not _systems():
        return text or ""
    return _names_in_text().sub(replacement, text)
