"""The NHSA answer's JSON: amounts from their decimal text, times in China time, everything else as
``json.dumps(..., ensure_ascii=False)`` writes it compactly (answers stored before must replay the same bytes)."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medfund_adjudication.api.nhsa import wire
from medfund_shared.money import Money

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_plain_values_are_written_as_compact_stdlib_json(value):
    assert wire.dump(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_amounts_keep_their_decimal_text_and_times_are_china_time():
    tree = {"fund_pay_sumamt": Money(1234560), "psn_part_amt": Decimal("0.10"), "count": 2,
            "setl_time": datetime(2026, 3, 1, 16, 30, tzinfo=UTC), "begndate": date(2026, 2, 27),
            "setldetail": [{"fund_pay_type": "310100", "fund_payamt": Money(5)}], "psn_name": "张三"}
    assert wire.dump(tree) == (
        '{"fund_pay_sumamt":12345.60,"psn_part_amt":0.10,"count":2,"setl_time":"2026-03-02 00:30:00",'
        '"begndate":"2026-02-27","setldetail":[{"fund_pay_type":"310100","fund_payamt":0.05}],"psn_name":"张三"}')


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_an_amount_is_written_as_its_exact_decimal_yuan(fen):
    assert wire.dump([Money(fen)]) == wire.dump([Money(fen).to_decimal()]) == f"[{Money(fen).to_decimal()}]"


def test_a_stored_answer_read_back_is_written_to_the_same_bytes():
    stored = ('{"infcode":0,"inf_refmsgid":"H1","refmsg_time":"2026-11-23 20:12:51","err_msg":"",'
              '"output":{"setlinfo":{"medfee_sumamt":4796.95,"selfpay_prop":0,"pric_uplmt_amt":null}}}')
    assert wire.dump(json.loads(stored, parse_float=Decimal)) == stored


def test_a_value_the_wire_format_has_no_form_for_is_refused():
    @dataclass
    class Unknown:
        x: int

    with pytest.raises(TypeError):
        wire.dump({"x": Unknown(1)})
