"""Money as integer minor units: strict parsing of what staff type, and formatting.

Every amount custtui stores is an integer count of the currency's minor unit (cents for USD and
EUR, yen for JPY), never a float: on SQLite a ``DecimalField`` is stored as REAL, and ten
ledger rows of 0.10 sum to 0.9999999999999999 (reliability-notes §0.3).

:func:`parse` is deliberately strict, because a store-credit amount that is read differently
from what the agent meant is money lost: one optional sign, ASCII digits, thousands separators
only where they separate thousands, at most the currency's number of decimals, no exponent,
no second decimal point, nothing absurdly large. Each refusal names the field and says what
would be accepted.
"""

from __future__ import annotations

import re

from custtui.services.errors import ValidationError

MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "AUD": 2,
    "NZD": 2,
    "SEK": 2,
    "DKK": 2,
    "NOK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "BRL": 2,
    "MXN": 2,
    "CNY": 2,
    "INR": 2,
    "AED": 2,
    "ZAR": 2,
    "SGD": 2,
    "HKD": 2,
    "ISK": 0,
    "JPY": 0,
    "KRW": 0,
    "BHD": 3,
    "KWD": 3,
    "JOD": 3,
}
"""ISO 4217 minor-unit exponents of the currencies custtui supports (pycountry does not carry
them). A website with another currency code cannot hold store credit until it is added here."""

SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
"""Prefix symbols for the most common currencies; others are shown with their code."""

MAX_MAJOR = 100_000_000
"""The largest amount (in whole currency units) accepted in one entry: anything bigger is a
typing accident, and it keeps every sum far inside a 64-bit integer."""

_NUMBER = re.compile(r"(?P<int>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<frac>[0-9]+))?", re.ASCII)
_MAX_TEXT = 32


def minor_units(currency: str) -> int:
    """Decimals of *currency* (2 for USD, 0 for JPY); :class:`ValidationError` if unknown."""
    code = (currency or "").upper()
    try:
        return MINOR_UNITS[code]
    except KeyError:
        raise ValidationError(
            "currency",
            f"Currency {currency!r} is not supported for store credit; supported: "
            f"{', '.join(sorted(MINOR_UNITS))}.",
        ) from None


def max_minor(currency: str) -> int:
    """The largest amount accepted in one entry, in minor units of *currency*."""
    return MAX_MAJOR * 10 ** minor_units(currency)


def _decimals_words(decimals: int) -> str:
    if decimals == 0:
        return "no decimals"
    return "1 decimal" if decimals == 1 else f"{decimals} decimals"


def example(currency: str, *, signed: bool = True) -> str:
    """An example amount a person may type, for messages and placeholders."""
    decimals = minor_units(currency)
    whole = "12" if decimals == 0 else "12." + "5".ljust(decimals, "0")
    return f"{whole}, -5 or +3" if signed else whole


def parse(
    text: object,
    currency: str,
    *,
    field: str = "amount",
    label: str = "Amount",
    signed: bool = True,
    allow_zero: bool = False,
) -> int:
    """The amount typed in *text* as integer minor units of *currency*.

    Accepts ``12.50``, ``-5``, ``+3``, ``1,000.50`` (``signed=False`` refuses a sign).
    Raises :class:`ValidationError` keyed by *field* with a message that starts with *label*.
    """
    decimals = minor_units(currency)
    code = currency.upper()
    like = example(currency, signed=signed)
    raw = "" if text is None else str(text)
    value = raw.strip()
    if not value:
        raise ValidationError(field, f"{label} is required: enter an amount such as {like}.")
    if len(value) > _MAX_TEXT:
        raise ValidationError(field, f"{label} is too long to be an amount ({len(value)} chars).")
    shown = repr(value)
    sign = 1
    body = value
    if body[0] in "+-":
        if not signed:
            raise ValidationError(field, f"{label} must be a positive amount without a sign.")
        sign = -1 if body[0] == "-" else 1
        body = body[1:].lstrip()
        if body[:1] in ("+", "-"):
            raise ValidationError(field, f"{label} {shown} has more than one sign; write {like}.")
    if not body:
        raise ValidationError(field, f"{label} {shown} has a sign but no number.")
    if any(ch in "eE" for ch in body):
        raise ValidationError(
            field, f"{label} {shown}: exponents such as 1e9 are not accepted; write the digits."
        )
    if body.count(".") > 1:
        raise ValidationError(field, f"{label} {shown} has more than one decimal point.")
    if body.startswith("."):
        raise ValidationError(field, f"{label} {shown} must start with a digit (0.50, not .50).")
    if body.endswith("."):
        raise ValidationError(field, f"{label} {shown} ends with a decimal point.")
    if any(ch in "+-" for ch in body):
        raise ValidationError(field, f"{label} {shown}: a sign may only come first.")
    match = _NUMBER.fullmatch(body)
    if match is None:
        if "," in body and all(ch.isdigit() or ch in ",." for ch in body):
            raise ValidationError(
                field,
                f"{label} {shown}: commas may only separate thousands (1,000.50); "
                "or leave them out.",
            )
        raise ValidationError(field, f"{label} {shown} is not an amount; write {like}.")
    frac = match.group("frac") or ""
    if len(frac) > decimals:
        raise ValidationError(
            field,
            f"{label} {shown} has {_decimals_words(len(frac))}; {code} amounts have at most "
            f"{_decimals_words(decimals)}."
            if decimals
            else f"{label} {shown} has decimals; {code} amounts are whole numbers.",
        )
    whole = int(match.group("int").replace(",", ""))
    minor = whole * 10**decimals + (int(frac.ljust(decimals, "0")) if decimals else 0)
    if minor > max_minor(code):
        raise ValidationError(
            field, f"{label} must be at most {format_amount(max_minor(code), code)} at a time."
        )
    if minor == 0 and not allow_zero:
        raise ValidationError(field, f"{label} must not be zero.")
    return sign * minor


def to_text(minor: int, currency: str, *, sign: bool = False, grouping: bool = True) -> str:
    """Minor units as a plain number: ``1,234.50``, ``-5.00`` (``sign`` adds ``+``)."""
    decimals = minor_units(currency)
    negative = minor < 0
    whole, frac = divmod(abs(int(minor)), 10**decimals)
    number = f"{whole:,}" if grouping else str(whole)
    if decimals:
        number += "." + str(frac).rjust(decimals, "0")
    if negative:
        return "-" + number
    return ("+" + number) if sign and minor > 0 else number


def format_amount(minor: int, currency: str, *, sign: bool = False) -> str:
    """Minor units with the currency: ``$12.50``, ``-€5.00``, ``+£3.00``, ``1,200 JPY``…"""
    code = currency.upper()
    number = to_text(minor, code, sign=sign)
    symbol = SYMBOLS.get(code)
    if symbol is None:
        return f"{number} {code}"
    if number[0] in "+-":
        return number[0] + symbol + number[1:]
    return symbol + number
