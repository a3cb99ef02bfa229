"""Pulling case details out of what customers type."""
from __future__ import annotations

import pytest

from actions.extraction import (
    MAX_DESCRIPTION_LENGTH,
    cap_length,
    clean_description,
    extract_emails,
    extract_order_ids,
    extract_product_ids,
    is_valid_email,
    mentions_urgency,
    says_no_example,
    strip_markup,
)
from tickets import load_schema

# --- email -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["kunde@webshop.dk", "  Mette.Hansen+iex@shop.co.uk ", "søren@firma.dk", "a@b.io"]
)
def test_plausible_email_addresses_are_valid(text):
    assert is_valid_email(text)


@pytest.mark.parametrize(
    "text",
    ["", "kunde", "kunde@webshop", "kunde@@webshop.dk", "kunde webshop@x.dk", "a..b@shop.dk",
     ".a@shop.dk", "kunde@webshop.dk and more", "x@y.z", "a" * 65 + "@shop.dk", None],
)
def test_anything_else_is_not_an_email(text):
    assert not is_valid_email(text)


def test_emails_in_free_text_are_found_once_in_order():
    text = "Write to Mette@Shop.dk (or mette@shop.dk), cc: it@shop.co.uk. Not: x@y, @shop.dk"

    assert extract_emails(text) == ["Mette@Shop.dk", "it@shop.co.uk"]


# --- order numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("orders 10023, 10024 and #10031", ["10023", "10024", "10031"]),
        ("Order 10023,10024,10031.", ["10023", "10024", "10031"]),
        ("SO-10023 and so-10024 failed", ["SO-10023", "SO-10024"]),
        ("ordre nr. 5512 og ordre 5513 er ikke overført", ["5512", "5513"]),
        ("Shopify order #1001", ["1001"]),
        ("order 4471-B", ["4471-B"]),
        ("10023 10023 #10023", ["10023"]),
    ],
)
def test_order_numbers_in_free_text_are_collected(text, expected):
    assert extract_order_ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "it happened on 2024-11-27, 27/11/2024 and 27.11.2024",
        "since 27 November 2024 and Nov 27th, 2024",
        "at 10:30 or kl. 14.15",
        "call me on +45 12 34 56 78 or tlf. 12345678",
        "it cost 499.00, kr 1.299,00 and 250 kr, or $49",
        "we have 150 orders stuck for 3 days, 25% of all",
        "since 2023",
        "orders 7 and 12",
        "order 123456789012345678901",
        "see https://shop.dk/orders/12345 or mail ole2024@shop.dk",
        "version 3.6.21",
        "my reference is IEX-20261127-4F7K",
        "faktura 5531 and kundenr 778812",
        "sku 8890",
    ],
)
def test_things_that_are_clearly_not_order_numbers_are_ignored(text):
    assert extract_order_ids(text) == []


def test_order_numbers_are_found_among_dates_prices_and_phone_numbers():
    text = (
        "Order 10023 was placed 2024-11-27 at 10:30 for 499.00 kr. "
        "Call me on +45 12 34 56 78 about order 10024."
    )

    assert extract_order_ids(text) == ["10023", "10024"]


# --- product numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TS-RED-L is missing", ["TS-RED-L"]),
        ("the variant 4471-B and SKU-889", ["4471-B", "SKU-889"]),
        ("sku 889 and varenr. 7788", ["889", "7788"]),
        ("Products: TS-RED-L, TS-BLUE-M", ["TS-RED-L", "TS-BLUE-M"]),
        ("item ABC123 and X1000", ["ABC123", "X1000"]),
        ("order 10023 contains TS-RED-L", ["TS-RED-L"]),
    ],
)
def test_product_numbers_in_free_text_are_collected(text, expected):
    assert extract_product_ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "orders 10023 and SO-10024",
        "we use e-conomic and the add-on for check-out",
        "UTF-8 problems with B2B customers",
        "my reference is IEX-20261127-4F7K",
        "the file is 20MB, the 1st time",
        "it happened on 2024-11-27",
        "100 products are missing",
    ],
)
def test_words_and_order_numbers_are_not_product_numbers(text):
    assert extract_product_ids(text) == []


# --- no example, urgency -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "No.",
        "nope",
        "nej tak",
        "None",
        "I don't have any examples",
        "It's all orders",
        "It is not about a specific order",
        "ingen eksempler",
        "Vi har ikke nogen",
        "n/a",
    ],
)
def test_customer_without_examples_is_understood(text):
    assert says_no_example(text)


@pytest.mark.parametrize(
    "text", ["no, but order 10023 is one", "yes: 10023", "The orders fail", "TS-RED-L"]
)
def test_answers_with_examples_are_not_a_no(text):
    assert not says_no_example(text)


@pytest.mark.parametrize(
    "text",
    ["This is urgent!", "Please help ASAP", "as soon as possible please", "Det haster!",
     "det er akut", "Our webshop is down", "we are losing sales"],
)
def test_urgency_is_noticed(text):
    assert mentions_urgency(text)


@pytest.mark.parametrize(
    "text",
    ["not urgent", "It is not very urgent", "ikke akut", "no rush", "the order was rejected",
     "Orders 10023 fail"],
)
def test_no_urgency_without_the_customer_asking(text):
    assert not mentions_urgency(text)


# --- plain text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("<p>Hello <b>world</b></p><script>alert(1)</script>after", "Hello world\nafter"),
        ("<style>p {color: red}</style><!-- note -->ok<br>next", "ok\nnext"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;text", "text"),
        ("<img src=x onerror=alert(1)><div onclick='x'>hi</div>", "hi"),
        ("<scr<script>x</script>ipt>alert(1)</script>", "xipt>alert(1)"),
        ("R&amp;D &amp; co", "R&D & co"),
    ],
)
def test_markup_is_removed_from_stored_text(markup, plain):
    assert strip_markup(markup) == plain


@pytest.mark.parametrize(
    "text", ["x < y and 3 > 2", "if a<b then", "Use <ordernumber> here", "R&D", "line 1\n\nline 2"]
)
def test_plain_text_survives(text):
    assert strip_markup(text) == text


def test_whitespace_is_tidied():
    assert strip_markup("  line 1 \r\n\r\n\r\n\r\nline   2\x00\t") == "line 1\n\nline 2"


def test_long_descriptions_are_cut_at_a_word_and_marked():
    text = "word " * 3000

    capped = cap_length(text, 100)

    assert len(capped) <= 100
    assert capped.endswith("word…")
    assert len(clean_description(text)) <= MAX_DESCRIPTION_LENGTH
    assert cap_length("short", 100) == "short"


def test_description_cap_matches_the_ticket_schema():
    assert load_schema()["properties"]["description"]["maxLength"] == MAX_DESCRIPTION_LENGTH


# --- payment data and secrets --------------------------------------------------------------------


def test_stored_text_holds_no_card_number_security_code_key_or_password():
    text = (
        "<p>Charged twice on 4571 0000 0000 0001 (cvc 321) for order 10023.</p>"
        "<p>Token: ghp_abcdefghijklmnopqrstuvwxyz0123456789, password: Hunter2!</p>"
    )
    expected = (
        "Charged twice on [card number removed] (cvc [security code removed]) for order 10023.\n\n"
        "Token: [API key or token removed], password: [password removed]"
    )

    assert strip_markup(text) == expected
    assert clean_description(text) == expected


def test_a_card_number_split_by_markup_or_spaces_is_still_found():
    assert strip_markup("<b>4242</b>  4242 4242\xa04242") == "[card number removed]"


def test_a_card_number_is_never_taken_for_an_order_or_product_number():
    text = "order 10023 was paid with 4242424242424242 and cvc 123, order 10024 too"

    assert extract_order_ids(text) == ["10023", "10024"]
    assert extract_product_ids("sku 4242424242424242 and sku 889") == ["889"]


def test_a_key_is_never_taken_for_a_product_number():
    assert extract_product_ids("product TS-RED-L fails with sk_live_51HxYzAbCdEfGhIjKlMnOp") == [
        "TS-RED-L"
    ]
