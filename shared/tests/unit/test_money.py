"""Money: exact yuan at the edges, integer fen inside."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from medfund_shared.money import Money, MoneyError, YuanAmount, round_half_up

fen = st.integers(min_value=-10**12, max_value=10**12)


@given(fen)
def test_formatting_then_parsing_gives_back_the_same_fen(amount):
    assert Money.from_yuan(Money(amount).to_yuan()) == Money(amount)


@given(fen)
def test_formatted_yuan_always_has_two_decimals(amount):
    assert Money(amount).to_yuan().split(".")[1].__len__() == 2


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_times_rounds_half_up_to_a_whole_fen(amount, percent):
    exact = Decimal(amount) * Decimal(percent) / 100
    expected = int(exact) + (1 if exact - int(exact) >= Decimal("0.5") else 0)
    assert Money(amount).times(Decimal(percent) / 100).fen == expected


@given(st.integers(min_value=-10**15, max_value=10**15), st.integers(min_value=1, max_value=10**6))
def test_rounding_is_half_away_from_zero_as_decimal_rounds(numerator, denominator):
    expected = int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert round_half_up(Fraction(numerator, denominator)) == expected


def test_rounding_is_exact_however_long_the_quotient():
    just_below_half = Fraction(5 * 10**39 - 1, 10**40)
    assert round_half_up(just_below_half) == 0
    assert round_half_up(-just_below_half) == 0
    assert round_half_up(Fraction(1, 2)) == 1 and round_half_up(Fraction(-1, 2)) == -1


@given(fen)
def test_yuan_text_is_the_exact_decimal(amount):
    assert Money(amount).to_yuan() == str((Decimal(amount) / 100).quantize(Decimal("0.01")))


def test_half_a_fen_rounds_up():
    assert Money(1).times(Decimal("0.5")) == Money(1)
    assert Money(5).times(Decimal("0.1")) == Money(1)
    assert Money(4).times(Decimal("0.1")) == Money(0)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused(value):
    with pytest.raises(MoneyError):
        Money.from_yuan(value)


@pytest.mark.parametrize("text", ["1.001", "0.125", "12.5001"])
def test_more_than_two_decimals_is_refused(text):
    with pytest.raises(MoneyError):
        Money.from_yuan(text)


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", ""])
def test_text_that_is_not_an_amount_is_refused(text):
    with pytest.raises(MoneyError):
        Money.from_yuan(text)


def test_fen_must_be_an_int():
    with pytest.raises(MoneyError):
        Money(1.5)


@pytest.mark.parametrize("value", ["100000000000000000000000000", Decimal("1E+999999"), Decimal("1e999999999"),
                                   Decimal("-1e999999999")])
def test_amounts_beyond_what_a_fen_column_holds_are_refused_as_money_errors(value):
    with pytest.raises(MoneyError, match="out of range"):
        Money.from_yuan(value)


@pytest.mark.parametrize("text", ["１２.５０", "١٢", "12.５", "1E+2", "1e2", ".5", "380.", " 12.50", "12.50 ", "+12",
                                  "12,50", "1_000", "9" * 5000, "0x10"])
def test_amounts_are_plain_ascii_decimal_text(text):
    """Issue 22: non-ASCII digits, exponents, bare points and padding are not amounts."""
    with pytest.raises(MoneyError, match="not an amount"):
        Money.from_yuan(text)


@pytest.mark.parametrize("value", [None, {}, [], True, Money(5), b"12"])
def test_values_that_are_neither_text_nor_numbers_are_money_errors(value):
    """A ValueError (pydantic's 422 naming the field), never a TypeError that becomes a 500."""
    with pytest.raises(MoneyError, match="not an amount"):
        Money.from_yuan(value)


def test_a_yuan_field_refuses_an_object_or_null_with_a_validation_error():
    class Body(BaseModel):
        amount: YuanAmount

    for value in ({}, None, "１２.５０"):
        with pytest.raises(ValidationError) as refused:
            Body.model_validate({"amount": value})
        assert refused.value.errors()[0]["loc"] == ("amount",)


@given(st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1), st.sampled_from(["", ".0", ".00"]))
def test_plain_strings_parse_like_decimals(fen, cents_style):
    """The integer fast path for "123.45"-shaped strings agrees with the exact Decimal path."""
    text = Money(fen).to_yuan()
    whole, cents = text.split(".")
    variants = [text, f"{whole}.{cents.rstrip('0') or '0'}"]
    if cents == "00":
        variants.append(whole + cents_style)
    for variant in variants:
        assert Money.from_yuan(variant) == Money.from_yuan(Decimal(variant)) == Money(fen)
