"""Bodies in UTF-8 or GBK, with or without a charset; answer values as the platform writes them."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from medfund_adjudication.api.nhsa import wire
from medfund_adjudication.api.nhsa.encoding import decode_body
from medfund_adjudication.domain.refusal import Refused

TEXT = '{"opter_name": "收费员张三"}'


@pytest.mark.parametrize("content_type", ["application/json; charset=GBK", "application/json;charset=gb2312",
                                          "application/json", None, "text/plain; charset=\"GB18030\""])
def test_a_gbk_body_is_read_with_or_without_its_charset(content_type):
    assert decode_body(TEXT.encode("gbk"), content_type) == TEXT


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/json", None])
def test_a_utf8_body_is_read(content_type):
    assert decode_body(TEXT.encode("utf-8"), content_type) == TEXT


def test_a_body_that_is_not_its_declared_charset_or_an_unknown_charset_is_refused():
    with pytest.raises(Refused, match="UTF-8"):
        decode_body(TEXT.encode("gbk"), "application/json; charset=utf-8")
    with pytest.raises(Refused, match="latin-1"):
        decode_body(b"{}", "application/json; charset=latin-1")


def test_prices_have_two_decimals_unless_they_have_more_and_quantities_their_significant_digits():
    assert [wire.price(Decimal(v)) for v in ("120.0000", "0.123400", "12")] == [
        Decimal("120.00"), Decimal("0.1234"), Decimal("12.00")]
    assert [str(wire.quantity(Decimal(v))) for v in ("2.0000", "0.5000", "10", "-1.0000")] == ["2", "0.5", "10", "-1"]


def test_message_times_are_beijing_time_to_the_millisecond():
    assert wire.message_time(datetime(2026, 12, 4, 2, 30, 5, 123999, tzinfo=UTC)) == "20261204103005123"
