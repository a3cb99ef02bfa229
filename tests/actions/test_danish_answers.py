"""The ticket form reads Danish answers as it reads English ones."""
import pytest

from actions.case_fields import named_systems
from actions.extraction import says_no_example
from actions.forms import field_to_change
from actions.summary import summary_fields


def test_a_system_ruled_out_with_men_leaves_the_one_after_it():
    assert named_systems("ikke e-conomic men dinero", []) == ["Dinero"]
    assert named_systems("vi bruger shopify og dinero, ikke e-conomic", []) == ["Shopify", "Dinero"]


@pytest.mark.parametrize("answer", ["ved det ikke", "aner det ikke", "jeg har ikke noget",
                                    "det gælder alle ordrer", "nej"])
def test_danish_answers_without_an_example_are_recognised(answer):
    assert says_no_example(answer)


@pytest.mark.parametrize(("correction", "field"), [
    ("beskrivelsen er forkert", "description"),
    ("ret systemerne", "systems"),
    ("ordrenummeret er forkert", "examples"),
    ("min mailadresse er forkert", "email"),
    ("loggen sagde noget andet", "log"),
])
def test_a_danish_correction_names_its_field_without_an_entity(correction, field):
    assert field_to_change(correction, []) == field


def test_the_summary_is_worded_in_the_conversation_language():
    slots = {"contact_email": "kunde@webshop.dk", "ticket_systems": ["Shopify"],
             "order_ids": ["1001"], "log_checked": False}

    danish = summary_fields(slots, [], "da")
    english = summary_fields(slots, [])

    assert [field["label"] for field in danish] == [
        "E-mail", "Systemer", "Beskrivelse", "Eksempler", "Dashboard-log"]
    assert [field["value"] for field in danish][2:] == [
        "ikke oplyst", "ordrer 1001", "ikke tjekket"]
    assert [field["label"] for field in english][1] == "Systems"
    assert english[3]["value"] == "orders 1001"
