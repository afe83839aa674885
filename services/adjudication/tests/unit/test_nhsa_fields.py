"""Reading NHSA input as HIS systems send it: strings or numbers, "" as absent, wrong values named."""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from medfund_adjudication.api.nhsa.fields import Fields
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money


def _refusal(call) -> Refused:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value


def _json(text: str) -> Fields:
    """As the gateway parses a body: JSON numbers become Decimal, never float."""
    return Fields(json.loads(text, parse_float=Decimal), "data")


@pytest.mark.parametrize("sent", ['"12.50"', "12.5", "12.50", '" 12.5 "'])
def test_amounts_are_read_from_json_strings_or_numbers(sent):
    assert _json(f'{{"amt": {sent}}}').money("amt") == Money(1250)


@pytest.mark.parametrize("sent", ['"3"', "3", "3.0"])
def test_counts_are_read_from_json_strings_or_numbers(sent):
    assert _json(f'{{"cnt": {sent}}}').decimal("cnt") == 3


def test_an_empty_string_is_absent():
    data = Fields({"amt": "", "name": "  ", "flag": ""}, "data")
    assert data.money("amt", required=False) is None
    assert data.text("name", required=False) is None
    assert data.flag("flag") is False


def test_a_required_field_that_is_empty_is_refused_by_its_path():
    refused = _refusal(lambda: Fields({"psn_no": ""}, "data").text("psn_no"))
    assert refused.field == "data.psn_no" and "required" in refused.message


@pytest.mark.parametrize(("sent", "says"), [("-1.00", "negative"), ("1.001", "two decimals"), ("abc", "number"),
                                             ("NaN", "number"), (True, "number"), ([1], "number")])
def test_a_wrong_amount_is_refused_naming_the_field(sent, says):
    refused = _refusal(lambda: Fields({"det_item_fee_sumamt": sent}, "feedetail[0]").money("det_item_fee_sumamt"))
    assert refused.field == "feedetail[0].det_item_fee_sumamt" and says in refused.message


def test_decimals_refuse_negatives_and_zero_when_positive_is_required():
    data = Fields({"cnt": "0", "pric": "-1"}, "row")
    assert "positive" in _refusal(lambda: data.decimal("cnt", positive=True)).message
    assert _refusal(lambda: data.decimal("pric")).field == "row.pric"


def test_integers_must_be_whole():
    data = Fields({"n": "3", "m": "3.5"}, "data")
    assert data.integer("n") == 3
    assert _refusal(lambda: data.integer("m")).field == "data.m"


def test_times_are_beijing_time_and_a_malformed_one_is_named():
    data = Fields({"begntime": "2026-03-01 09:00:00", "bad": "2026-13-01 09:00:00"}, "mdtrtinfo")
    assert data.time("begntime") == datetime(2026, 3, 1, 9, tzinfo=CHINA_TIME)
    assert _refusal(lambda: data.time("bad")).field == "mdtrtinfo.bad"


@pytest.mark.parametrize("text", ["2026-02-29 09:00:00", "2026-03-01 24:00:00", "2026-03-01 09:60:00",
                                  "2026-02-29T09:00:00", "2026-03-01 09:00:00+08:00", "2026-03-01T9:00:00"])
def test_times_that_are_not_a_calendar_time_in_the_layout_are_refused(text):
    assert _refusal(lambda: Fields({"t": text}, "data").time("t")).field == "data.t"


def test_times_without_leading_zeros_read_as_the_layout_allows():
    data = Fields({"short": "2026-3-1 9:05:07", "padded": "2026-03-01 09:05:07"}, "data")
    assert data.time("short") == data.time("padded") == datetime(2026, 3, 1, 9, 5, 7, tzinfo=CHINA_TIME)


def test_dates_accept_a_date_or_a_time_of_day():
    data = Fields({"d": "2026-03-01", "t": "2026-03-01 10:00:00", "s": "2026-03-01T00:00:00", "bad": "01/03/2026",
                   "no_day": "2026-02-30T00:00:00"}, "data")
    assert data.date("d") == data.date("t") == data.date("s") == date(2026, 3, 1)
    assert _refusal(lambda: data.date("no_day")).field == "data.no_day"
    assert _refusal(lambda: data.date("bad")).field == "data.bad"


def test_dates_and_times_out_of_the_business_range_are_refused_naming_the_field():
    data = Fields({"setl_time": "9999-01-01 09:00:00", "stmt_begndate": "1900-01-01"}, "data")
    refused = _refusal(lambda: data.time("setl_time"))
    assert refused.field == "data.setl_time" and "must fall in the years 1990-2100" in refused.message
    assert _refusal(lambda: data.date("stmt_begndate")).field == "data.stmt_begndate"


def test_choices_and_flags_refuse_values_outside_their_options():
    data = Fields({"insutype": "320", "refl_flag": "2"}, "data")
    assert "310, 390" in _refusal(lambda: data.choice("insutype", ("310", "390"))).message
    assert _refusal(lambda: data.flag("refl_flag")).field == "data.refl_flag"


def test_text_refuses_objects_and_overlong_values_but_takes_numbers():
    data = Fields({"sn": 7, "obj": {"a": 1}, "long": "x" * 65}, "row")
    assert data.text("sn") == "7"
    assert _refusal(lambda: data.text("obj")).field == "row.obj"
    assert "at most 64 characters" in _refusal(lambda: data.text("long")).message


def test_text_with_a_control_character_is_refused():
    """A NUL cannot be stored in PostgreSQL: refused in the envelope instead of failing the transaction."""
    assert "control characters" in _refusal(lambda: Fields({"ipt_no": "IPT\x001"}, "data").text("ipt_no")).message


def test_rows_accept_a_single_object_or_a_list_and_name_each_row():
    assert [r.text("sn") for r in Fields({"feedetail": {"sn": "1"}}, "input").rows("feedetail")] == ["1"]
    rows = Fields({"feedetail": [{"sn": "1"}, {"sn": ""}]}, "input").rows("feedetail")
    assert _refusal(lambda: rows[1].text("sn")).field == "input.feedetail[1].sn"
    assert Fields({"diseinfo": ""}, "input").rows("diseinfo") == []
    assert _refusal(lambda: Fields({"feedetail": "x"}, "input").rows("feedetail")).field == "input.feedetail"


def test_unknown_fields_are_ignored_and_a_non_object_is_refused():
    assert Fields({"psn_no": "P1", "coner_name": "", "adm_bed": "12"}, "data").text("psn_no") == "P1"
    assert _refusal(lambda: Fields(["x"], "input")).field == "input"
    assert _refusal(lambda: Fields({}, "input").child("data")).field == "input.data"


def test_a_serialised_datetime_reads_as_beijing_time_unless_it_carries_an_offset():
    data = Fields({"local": "2026-12-04T10:30:00", "fraction": "2026-12-04T10:30:00.1234567",
                   "utc": "2026-12-04T02:30:00Z", "offset": "2026-12-04T10:30:00+08:00"}, "data")
    expected = datetime(2026, 12, 4, 10, 30, tzinfo=CHINA_TIME)
    assert data.time("local") == data.time("utc") == data.time("offset") == expected
    assert data.time("fraction") == expected.replace(microsecond=123456)


@pytest.mark.parametrize(("sent", "fen"), [(Decimal("99.89999999999999"), 9990), ("99.89999999999999", 9990),
                                           (Decimal("0.30000000000000004"), 30), (Decimal("99.9"), 9990),
                                           (Decimal("1.0000"), 100)])
def test_an_amount_written_by_a_binary_double_reads_as_the_cents_it_stands_for(sent, fen):
    assert Fields({"amount": sent}, "data").money("amount") == Money(fen)


@pytest.mark.parametrize("sent", [Decimal("99.899"), "10.001", Decimal("99.8999999")])
def test_an_amount_with_more_than_two_decimals_that_is_no_double_of_cents_is_refused(sent):
    assert _refusal(lambda: Fields({"amount": sent}, "data").money("amount")).field == "data.amount"


def test_refund_lines_take_negative_quantities_and_amounts_only_where_asked():
    row = Fields({"cnt": "-2.0000", "amount": "-40.00", "positive": "40.00"}, "row")
    assert row.decimal("cnt", negative=True) == Decimal("-2.0000")
    assert row.money("amount", negative=True) == Money(-4000)
    assert _refusal(lambda: row.money("positive", negative=True)).field == "row.positive"
    assert _refusal(lambda: row.money("amount")).field == "row.amount"
    assert _refusal(lambda: row.decimal("cnt", positive=True)).field == "row.cnt"


@pytest.mark.parametrize("sent", ["１２.５０", "١٢", "1E+2", ".5", "380."])
def test_amount_text_must_be_ascii_decimal_digits(sent):
    """Issue 22: text that only Python's Unicode-aware Decimal would read is not an amount (JSON numbers stay)."""
    refused = _refusal(lambda: Fields({"amt": sent}, "data").money("amt"))
    assert refused.field == "data.amt" and "plain decimal" in refused.message


@pytest.mark.parametrize("sent", ["9999-12-31 00:00:00", "0001-01-01 00:00:00", "9999-12-31T00:00:00",
                                  "２０２６-03-01 09:00:00", "1989-12-31 23:59:59"])
def test_times_outside_the_business_years_or_in_other_digits_are_refused(sent):
    """Year 9999 would be stored as PostgreSQL's infinity; every gateway time and date is a business date."""
    assert _refusal(lambda: Fields({"endtime": sent}, "data").time("endtime")).field == "data.endtime"
    assert _refusal(lambda: Fields({"day": sent[:10]}, "data").date("day")).field == "data.day"
