"""The appropriation body, field by field: what is accepted, what is refused with which code."""

from datetime import UTC

import pytest

from medfund_billing.domain.appropriation import parse_appropriation
from medfund_billing.domain.payment_record import RecordRejected
from medfund_shared.money import Money

BODY = {"appropriation_id": "MA-1", "admdvs": "500240", "fund_pay_type": "610100", "year": 2026,
        "amount": "1500000.00", "received_at": "2026-01-15T10:00:00+08:00", "source": "finance", "voucher_no": "V1"}


def test_a_valid_body_parses_exactly():
    item = parse_appropriation(BODY)
    assert (item.amount, item.year, item.fund_pay_type, item.source) == (Money(150_000_000), 2026, "610100", "finance")
    assert item.received_at.astimezone(UTC).hour == 2


def test_the_same_meaning_has_the_same_fingerprint_and_other_content_another():
    same = parse_appropriation(BODY | {"amount": "1500000", "received_at": "2026-01-15T02:00:00Z"})
    assert same.fingerprint() == parse_appropriation(BODY).fingerprint()
    assert parse_appropriation(BODY | {"voucher_no": "V2"}).fingerprint() != same.fingerprint()


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"fund_pay_type": "390200"}, "invalid", "fund_pay_type"),
    ({"amount": "0"}, "not_positive", "amount"),
    ({"amount": 12.5}, "invalid", "amount"),
    ({"amount": "1.234"}, "too_many_decimals", "amount"),
    ({"year": 1989}, "out_of_range", "year"),
    ({"year": True}, "invalid", "year"),
    ({"received_at": "2026-01-15"}, "missing_offset", "received_at"),
    ({"source": ""}, "missing", "source"),
    ({"appropriation_id": "x" * 65}, "too_long", "appropriation_id"),
])
def test_a_bad_field_is_refused_with_its_code(change, code, field):
    with pytest.raises(RecordRejected) as refused:
        parse_appropriation(BODY | change)
    assert (refused.value.code, refused.value.field) == (code, field)
