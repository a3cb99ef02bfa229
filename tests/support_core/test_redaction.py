"""Card numbers, security codes, keys and passwords are removed; order numbers and the like stay."""
from __future__ import annotations

import pytest
import yaml

from bot.config import PROJECT_ROOT
from support_core.redaction import (
    CARD_NUMBER,
    PASSWORD,
    SECRET,
    SECURITY_CODE,
    looks_like_card_number,
    marker,
    passes_luhn,
    redact,
)

CARD = marker(CARD_NUMBER)
CODE = marker(SECURITY_CODE)
KEY = marker(SECRET)
PASSWORD_REMOVED = marker(PASSWORD)

#: Test numbers the card networks and Stripe publish; every one passes the Luhn check.
CARD_NUMBERS = {
    "Visa": "4242424242424242",
    "Visa debit": "4000056655665556",
    "Visa, 19 digits": "4000000000000000006",
    "Visa/Dankort": "4571000000000001",
    "Dankort": "5019717010103742",
    "Mastercard": "5555555555554444",
    "Mastercard 2-series": "2223003122003222",
    "American Express": "378282246310005",
    "American Express, 2": "371449635398431",
    "Discover": "6011111111111117",
    "Diners Club, 14 digits": "36227206271667",
    "Diners Club, 16 digits": "3056930009020004",
    "JCB": "3566002020360505",
    "UnionPay": "6200000000000005",
    "UnionPay, 19 digits": "6205500000000000004",
    "Maestro": "6759649826438453",
}


def grouped(number: str, separator: str) -> str:
    """The number as printed on the card: 4-6-5 / 4-6-4 for Amex and Diners, else fours."""
    if len(number) in (14, 15):
        parts = [number[:4], number[4:10], number[10:]]
    else:
        parts = [number[start:start + 4] for start in range(0, len(number), 4)]
    return separator.join(parts)


def test_the_test_numbers_pass_the_luhn_check_and_changed_ones_do_not():
    for number in CARD_NUMBERS.values():
        assert passes_luhn(number), number
        last = int(number[-1])
        assert not passes_luhn(number[:-1] + str((last + 1) % 10)), number


@pytest.mark.parametrize("brand", CARD_NUMBERS)
@pytest.mark.parametrize("separator", ["", " ", "-", ".", "  "])
def test_card_numbers_of_every_brand_are_removed_however_they_are_grouped(brand, separator):
    number = grouped(CARD_NUMBERS[brand], separator) if separator else CARD_NUMBERS[brand]
    english = redact(f"I paid with my card {number}, but the order is missing")
    danish = redact(f"Jeg har betalt med kortet {number} og ordren mangler.")

    assert english.text == f"I paid with my card {CARD}, but the order is missing"
    assert danish.text == f"Jeg har betalt med kortet {CARD} og ordren mangler."
    assert english.kinds == danish.kinds == (CARD_NUMBER,)
    assert english.changed


def test_a_card_number_with_a_wrong_check_digit_stays():
    assert redact("card 4242 4242 4242 4241").text == "card 4242 4242 4242 4241"


def test_a_card_number_at_the_start_or_end_of_a_line_and_twice_in_a_message():
    text = "4242424242424242\nand also 5555-5555-5555-4444"
    assert redact(text).text == f"{CARD}\nand also {CARD}"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("card 4242 4242 4242 4242 cvc 123", f"card {CARD} cvc {CODE}"),
        ("4242424242424242 CVV: 987", f"{CARD} CVV: {CODE}"),
        ("4242424242424242 cvv2=987", f"{CARD} cvv2={CODE}"),
        ("kort 4571 0000 0000 0001, sikkerhedskode 321", f"kort {CARD}, sikkerhedskode {CODE}"),
        ("sikkerhedskoden? sikkerhedskode er 321", f"sikkerhedskoden? sikkerhedskode er {CODE}"),
        ("kontrolcifre: 042", f"kontrolcifre: {CODE}"),
        ("security code is 4321", f"security code is {CODE}"),
        # Written just after the card, with no label, also after the expiry date.
        ("4242 4242 4242 4242 123", f"{CARD} {CODE}"),
        ("4242424242424242, 12/27, 123", f"{CARD}, 12/27, {CODE}"),
        ("4242424242424242 exp 12/2027 123", f"{CARD} exp 12/2027 {CODE}"),
        ("4571000000000001 udløb 11/28 og 555", f"{CARD} udløb 11/28 og {CODE}"),
        ("Amex 3782 822463 10005 code 1234", f"Amex {CARD} code {CODE}"),
    ],
)
def test_security_codes_written_with_a_card_or_labelled_are_removed(written, expected):
    result = redact(written)
    assert result.text == expected
    assert SECURITY_CODE in result.kinds


def test_a_number_further_from_the_card_is_not_taken_for_its_security_code():
    text = "paid with 4242424242424242 for order 4711 and 123 other things"
    assert redact(text).text == f"paid with {CARD} for order 4711 and 123 other things"


def test_a_three_digit_number_without_a_card_or_label_stays():
    assert redact("error 500 on 123 orders").text == "error 500 on 123 orders"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("my key is sk_live_51HxYzAbCdEfGhIjKlMnOp", f"my key is {KEY}"),
        ("pk_test_TYooMQauvdEDq54NiTphI7jx", KEY),
        ("webhook secret whsec_abcdefghijklmnopqrstuvwx", f"webhook secret {KEY}"),
        ("shpat_0123456789abcdef0123456789abcdef virker ikke", f"{KEY} virker ikke"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", KEY),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", KEY),
        ("xoxb-123456789012-abcdefghijkl", KEY),
        ("AWS key AKIAIOSFODNN7EXAMPLE", f"AWS key {KEY}"),
        ("AIzaSyA1234567890abcdefghijklmnopqrstu", KEY),
        ("Authorization: Bearer abcdef1234567890abcdef", f"Authorization: Bearer {KEY}"),
        ("curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='",
         f"curl -H 'Authorization: Basic {KEY}'"),
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9P",
            f"jwt {KEY}",
        ),
        ("api key: 9f8e7d6c5b4a3f2e1d0c", f"api key: {KEY}"),
        ("min API-nøgle er abcdefghijklmnop", f"min API-nøgle er {KEY}"),
        ("access_token=abc123def456ghi789", f"access_token={KEY}"),
        ("https://shop.dk/hook?token=abc123def456ghi789", f"https://shop.dk/hook?token={KEY}"),
        ("client secret 4f9a8b7c6d5e4f3a2b1c0d", f"client secret {KEY}"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
         f"aws_secret_access_key = {KEY}"),
        ("here: Xk9mQ2vB7nR4tY8wZ1pL5sD3fG6hJ0aC", f"here: {KEY}"),
    ],
)
def test_api_keys_and_tokens_are_removed(written, expected):
    result = redact(written)
    assert result.text == expected
    assert result.kinds == (SECRET,)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("password: Hunter2!", f"password: {PASSWORD_REMOVED}"),
        ("Password=hunter", f"Password={PASSWORD_REMOVED}"),
        ("my password is Hunter2!", f"my password is {PASSWORD_REMOVED}"),
        ('my password is "sommer"', f"my password is {PASSWORD_REMOVED}"),
        ("min adgangskode er Sommer2024!", f"min adgangskode er {PASSWORD_REMOVED}"),
        ("min adgangskode er sommer, hvad gør jeg?",
         f"min adgangskode er {PASSWORD_REMOVED}, hvad gør jeg?"),
        ("adgangskoden er hestebiks", f"adgangskoden er {PASSWORD_REMOVED}"),
        ("min adgangskode er Sommerset", f"min adgangskode er {PASSWORD_REMOVED}"),
        ("mit kodeord er: sommer", f"mit kodeord er: {PASSWORD_REMOVED}"),
        ("min kode er 4455", f"min kode er {PASSWORD_REMOVED}"),
        ("user admin pwd: s3cr3t", f"user admin pwd: {PASSWORD_REMOVED}"),
    ],
)
def test_passwords_are_removed(written, expected):
    result = redact(written)
    assert result.text == expected
    assert result.kinds == (PASSWORD,)


@pytest.mark.parametrize(
    "text",
    [
        # Order numbers, also long ones that fail the Luhn check or are grouped as lists.
        "Order 1000234 was not transferred to e-conomic",
        "ordre #100045 mangler i Dinero",
        "reference 123456789012345",
        # Together these pass the Luhn check with a Visa prefix, but cards are not grouped so.
        "orders 400233 400234 400235 are missing",
        "ordrer 4000234 4000235",
        "SO-10023, WEB-4242 and 10024",
        # EAN-13 barcodes, also those that pass the Luhn check (the last two do).
        "EAN 5701234567892 is not created",
        "stregkode 5701234567897 mangler",
        "ean 4006381333932",
        "SKU TSHIRT-RED-XL and 4471-B",
        # Dates, times, phone numbers, amounts, e-mail addresses.
        "on 2024-11-27 at 10:30, or 27/11/2024",
        "ring til mig på 12 34 56 78 eller +45 12 34 56 78",
        "prisen er 1.299,00 kr, total 12.500 kr.",
        "server 10.0.0.1, version 3.6.21, dato 27.11.2024",
        "mail jens.hansen42@webshop.dk",
        "CVR 12345678, faktura 20241127",
        # A lower-case UUID and a tracking number are identifiers, not keys.
        "id 3f2504e0-4f89-11d3-9a0c-0305e82c3301, tracking 1Z999AA10123456784",
        # Talking about passwords and keys is not giving one.
        "my password is wrong",
        "My password is not working since yesterday",
        "the password is required and the password is changed",
        "min adgangskode er forkert",
        "adgangskoden er udløbet, og koden er blevet spærret",
        "kunde CID 4471 mangler",
        "I forgot my password",
        "the API key field is empty",
        "where do I find the API key for Shopify?",
        "the token expired yesterday",
        "the token field says invalid",
        "fejlkode 5003, error code 500",
        "The CVC field on the checkout page",
    ],
)
def test_texts_without_payment_data_or_secrets_stay_as_they_are(text):
    result = redact(text)
    assert result.text == text
    assert result.kinds == ()
    assert not result.changed


def test_kinds_are_listed_once_each_in_a_fixed_order():
    result = redact(
        "password: abc123 card 4242424242424242 cvc 123 and 5555555555554444 ghp_abcdefghij"
        "klmnopqrstuvwxyz0123"
    )
    assert result.kinds == (CARD_NUMBER, SECURITY_CODE, SECRET, PASSWORD)


def test_redacting_a_redacted_text_changes_nothing():
    once = redact(
        "kort 4242 4242 4242 4242 cvc 123, password: hunter2, token: abcdef123456789, "
        "min adgangskode er sommer, Bearer abcdefabcdef1234"
    )
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.kinds == ()


def test_a_card_inside_a_longer_run_of_digit_groups_is_found_and_the_rest_kept():
    assert redact("10023 4242 4242 4242 4242 10024").text == f"10023 {CARD} 10024"


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("4242424242424242", True),
        ("4242 4242 4242 4242", True),
        ("3782-822463-10005", True),
        ("4242 424242 424242", False),  # a Visa number is written in fours
        ("4222222222222", False),  # 13 digits: could be an EAN-13 barcode
        ("1234567812345670", False),  # passes the Luhn check but no brand starts with 1
        ("", False),
    ],
)
def test_looks_like_card_number(candidate, expected):
    assert looks_like_card_number(candidate) is expected


def _customer_texts() -> list[str]:
    """Every customer message in the NLU data and the evaluation sets."""
    texts: list[str] = []

    def collect(value) -> None:
        if isinstance(value, dict):
            texts.extend(value[key] for key in ("text", "user") if isinstance(value.get(key), str))
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                collect(item)

    for path in sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            texts += [line.strip()[2:] for line in (item.get("examples") or "").splitlines()
                      if line.strip().startswith("- ")]
    for path in sorted((PROJECT_ROOT / "tests" / "data").glob("*.yml")):
        collect(yaml.safe_load(path.read_text("utf-8")))
    return texts


def test_no_customer_message_in_the_training_data_or_evaluation_sets_is_changed():
    texts = _customer_texts()
    assert len(texts) > 3000
    changed = [text for text in texts if redact(text).changed]
    assert changed == []
