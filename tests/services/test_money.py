"""Strict money parsing and formatting: integer minor units, never floats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custtui.services import money
from custtui.services.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "USD", 1250),
        ("12.5", "EUR", 1250),
        ("-5", "USD", -500),
        ("+3", "GBP", 300),
        ("0.01", "USD", 1),
        ("  7.00 ", "USD", 700),
        ("1,000.50", "USD", 100050),
        ("12,345,678", "EUR", 1234567800),
        ("- 4.25", "USD", -425),
        ("1200", "JPY", 1200),
        ("-15", "JPY", -15),
        ("1.234", "KWD", 1234),
        ("100000000", "USD", 10_000_000_000),
    ],
)
def test_parse_accepts(text: str, currency: str, minor: int) -> None:
    assert money.parse(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "words"),
    [
        ("", "USD", "Amount is required: enter an amount such as 12.50, -5 or +3"),
        ("   ", "USD", "Amount is required"),
        ("1,000.5.5", "USD", "more than one decimal point"),
        ("1e9", "USD", "exponents such as 1e9 are not accepted"),
        ("1E3", "USD", "exponents"),
        ("--5", "USD", "more than one sign"),
        ("+-5", "USD", "more than one sign"),
        ("12.505", "USD", "has 3 decimals; USD amounts have at most 2 decimals"),
        ("12.5", "JPY", "has decimals; JPY amounts are whole numbers"),
        ("1.2345", "KWD", "at most 3 decimals"),
        (".50", "USD", "must start with a digit (0.50, not .50)"),
        ("5.", "USD", "ends with a decimal point"),
        ("1,00", "USD", "commas may only separate thousands"),
        ("10,00.5", "EUR", "commas may only separate thousands"),
        ("12 50", "USD", "is not an amount"),
        ("abc", "USD", "is not an amount"),
        ("NaN", "USD", "is not an amount"),
        ("inf", "USD", "is not an amount"),
        ("٣", "USD", "is not an amount"),  # Arabic-Indic three: ASCII digits only
        ("5-", "USD", "a sign may only come first"),
        ("-", "USD", "has a sign but no number"),
        ("0", "USD", "must not be zero"),
        ("-0.00", "USD", "must not be zero"),
        ("100000000.01", "USD", "at most $100,000,000.00 at a time"),
        ("9" * 40, "USD", "too long to be an amount"),
    ],
)
def test_parse_refuses_with_a_message_naming_the_field(text: str, currency: str, words: str):
    with pytest.raises(ValidationError) as caught:
        money.parse(text, currency)
    assert caught.value.field == "amount"
    message = caught.value.errors["amount"]
    assert message.startswith("Amount")
    assert words in message


def test_parse_uses_the_given_field_and_label() -> None:
    with pytest.raises(ValidationError) as caught:
        money.parse("-3", "USD", field="items[1].price", label="Item 1 price", signed=False)
    assert caught.value.errors == {
        "items[1].price": "Item 1 price must be a positive amount without a sign."
    }
    assert money.parse("0", "USD", allow_zero=True) == 0


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError, match="Currency 'XXX' is not supported"):
        money.parse("1", "XXX")


@pytest.mark.parametrize(
    ("minor", "currency", "sign", "shown"),
    [
        (1250, "USD", False, "$12.50"),
        (-500, "EUR", False, "-€5.00"),
        (300, "GBP", True, "+£3.00"),
        (0, "USD", True, "$0.00"),
        (123456789, "USD", False, "$1,234,567.89"),
        (1200, "JPY", False, "¥1,200"),
        (1234, "KWD", False, "1.234 KWD"),
        (-7, "CHF", False, "-0.07 CHF"),
    ],
)
def test_format_amount(minor: int, currency: str, sign: bool, shown: str) -> None:
    assert money.format_amount(minor, currency, sign=sign) == shown


@given(
    st.integers(min_value=-money.max_minor("USD"), max_value=money.max_minor("USD")).filter(bool),
    st.sampled_from(["USD", "EUR", "JPY", "KWD"]),
)
def test_text_round_trips(minor: int, currency: str) -> None:
    bound = money.max_minor(currency)
    minor = max(-bound, min(bound, minor))
    assert money.parse(money.to_text(minor, currency, sign=True), currency) == minor
    assert money.parse(money.to_text(minor, currency, grouping=False), currency) == minor
