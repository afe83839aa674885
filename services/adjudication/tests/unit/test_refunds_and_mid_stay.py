"""Refund lines against the detail they refund, and what a mid-stay settlement may do."""

from datetime import datetime
from decimal import Decimal

import pytest

from medfund_adjudication.domain.admission import Admission, ensure_settleable
from medfund_adjudication.domain.refunds import Refundable, apply_refund, net_of_refunds
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import FeeItem
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money

DETAIL = Refundable("1", Decimal(10), Money(100000))


def test_refunds_of_a_detail_add_up_and_may_not_exceed_its_quantity_or_amount():
    once = apply_refund("M1", "2", "1", Decimal(-4), Money(-40000), DETAIL)
    assert (once.refunded_cnt, once.refunded_amount) == (Decimal(4), Money(40000))
    twice = apply_refund("M1", "3", "1", Decimal(-6), Money(-60000), once)
    assert (twice.refunded_cnt, twice.refunded_amount) == (Decimal(10), Money(100000))
    with pytest.raises(Refused, match="exceed its quantity"):
        apply_refund("M1", "4", "1", Decimal(-1), Money(0) - Money(1), twice)
    with pytest.raises(Refused, match="exceed its amount"):
        apply_refund("M1", "4", "1", Decimal(-1), Money(-60001), once)


@pytest.mark.parametrize(("target", "message"), [(None, "not an uploaded fee detail"),
                                                 (Refundable("1", Decimal(1), Money(1), is_refund=True), "itself"),
                                                 (Refundable("1", Decimal(1), Money(1), settled=True), "settled")])
def test_a_refund_needs_an_unsettled_detail_that_is_not_itself_a_refund(target, message):
    with pytest.raises(Refused, match=message):
        apply_refund("M1", "2", "1", Decimal(-1), Money(-1), target)


def test_the_settlement_sees_each_detail_net_of_its_refunds_and_not_a_detail_refunded_entirely():
    lines = [(FeeItem("1", "TA", Decimal(10), Decimal(100), Money(100000)), None),
             (FeeItem("2", "TB", Decimal(1), Decimal(50), Money(5000)), None),
             (FeeItem("3", "TA", Decimal(-4), Decimal(100), Money(-40000)), "1"),
             (FeeItem("4", "TB", Decimal(-1), Decimal(50), Money(-5000)), "2")]
    assert net_of_refunds(lines) == (FeeItem("1", "TA", Decimal(6), Decimal(100), Money(60000)),)


def test_a_refund_of_a_detail_no_longer_unsettled_stops_the_settlement():
    lines = [(FeeItem("2", "TA", Decimal(-1), Decimal(100), Money(-10000)), "1")]
    with pytest.raises(Refused, match="settled already"):
        net_of_refunds(lines)


def _stay(med_type: str, discharged: bool) -> Admission:
    begun = datetime(2026, 12, 1, 9, tzinfo=CHINA_TIME)
    return Admission("M1", "P1", "390", "H1", med_type, begun, False, (), begun if discharged else None)


def test_a_stay_settles_after_discharge_or_mid_stay_when_asked_and_an_outpatient_visit_always():
    ensure_settleable(_stay("21", discharged=True), mid_stay=False)
    ensure_settleable(_stay("21", discharged=False), mid_stay=True)
    ensure_settleable(_stay("11", discharged=False), mid_stay=False)
    with pytest.raises(Refused, match="no discharge"):
        ensure_settleable(_stay("21", discharged=False), mid_stay=False)
    with pytest.raises(Refused, match="no mid-stay"):
        ensure_settleable(_stay("52", discharged=False), mid_stay=True)
