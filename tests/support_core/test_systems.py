"""The list of system names, read from the NLU synonyms, and finding them in free text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from support_core import systems
from support_core.systems import canonical_system, known_systems, read_systems, systems_in


def test_every_synonym_of_the_nlu_file_is_a_known_system():
    document = yaml.safe_load(systems.SYSTEMS_FILE.read_text(encoding="utf-8"))
    synonyms = [item["synonym"] for item in document["nlu"] if "synonym" in item]
    assert list(known_systems()) == synonyms
    assert "visma e-conomic" in known_systems()["e-conomic"]


def test_known_systems_is_read_once_and_cannot_be_changed_by_a_caller():
    first = known_systems()
    first["Made up"] = ("made up",)
    assert "Made up" not in known_systems()


def test_only_synonym_entries_are_read(tmp_path: Path):
    path = tmp_path / "systems.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- synonym: Dinero\n  examples: |\n    - dinero\n    - dinero.dk\n'
        "- lookup: system\n  examples: |\n    - Dinero\n"
        "- intent: greet\n  examples: |\n    - hi\n",
        encoding="utf-8",
    )
    assert read_systems(path) == {"Dinero": ("dinero", "dinero.dk")}


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("economic", "e-conomic"),
        ("Visma e-conomic", "e-conomic"),
        ("E-CONOMIC", "e-conomic"),
        ("e conomic", "e-conomic"),
        ("woo", "WooCommerce"),
        ("Woo-Commerce", "WooCommerce"),
        ("visma.net", "VismaNet"),
        ("Shopify POS", "Shopify POS"),
        ("shopify-pos", "Shopify POS"),
        ("billwerk+", "Billwerk+"),
        ("  mobile   pay ", "Vipps MobilePay"),
    ],
)
def test_a_name_or_alias_gives_the_canonical_system(text, canonical):
    assert canonical_system(text) == canonical


@pytest.mark.parametrize("text", ["", "weather", "shop", "economics of scale", None])
def test_words_that_name_no_system_give_none(text):
    assert canonical_system(text) is None


def test_systems_in_free_text_are_found_in_order_once_each():
    text = "We moved from Dinero to Visma e-conomic, and economic still misses dinero orders"
    assert systems_in(text) == ["Dinero", "e-conomic"]


def test_the_longest_name_wins_where_names_overlap():
    assert systems_in("sales from shopify pos are missing") == ["Shopify POS"]
    assert systems_in("shopify pos and the shopify webshop") == ["Shopify POS", "Shopify"]


def test_only_whole_words_name_a_system():
    assert systems_in("the bcc field and the netscape browser, my wooden shop") == []
    assert systems_in("we use woo and BC") == ["WooCommerce", "Business Central"]


def test_names_are_found_with_or_without_hyphens_dots_and_spaces():
    assert systems_in("e conomic, vismanet and nets-easy") == ["e-conomic", "VismaNet", "Nets"]


def test_text_without_systems_gives_an_empty_list():
    assert systems_in("my invoice is wrong") == []
    assert systems_in("") == []
