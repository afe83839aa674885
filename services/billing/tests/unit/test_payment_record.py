"""Payment records are validated field by field, with a code and the field named."""

from decimal import Decimal

import pytest

from medfund_billing.domain.payment_record import RecordRejected, parse_record, voucher_of

GOOD = {"tax_voucher_no": "V1", "certno": "50024019900101123x", "psn_name": "张三", "insutype": "390",
        "admdvs": "500240", "period_year": "2026", "amount": "140.5", "paid_at": "2025-11-20T10:15:00+08:00",
        "tax_office_code": "TAX1", "channel": "alipay"}


def test_a_csv_style_record_parses_into_exact_values():
    record = parse_record(GOOD)
    assert (record.amount.fen, record.period_year, record.certno) == (14050, 2026, "50024019900101123X")


@pytest.mark.parametrize(("field", "value", "code"), [
    ("amount", "0", "not_positive"), ("amount", "-1.00", "not_positive"), ("amount", "1.005", "too_many_decimals"),
    ("amount", "abc", "invalid"), ("amount", 1.5, "invalid"), ("paid_at", "2025-11-20T10:15:00", "missing_offset"),
    ("paid_at", "yesterday", "invalid"), ("channel", "cash", "invalid"), ("certno", "123", "invalid"),
    ("tax_voucher_no", "V" * 31, "too_long"), ("tax_voucher_no", " ", "missing"), ("period_year", "26", "out_of_range"),
    ("insutype", "999", "invalid"), ("admdvs", "50024", "invalid"), ("period_year", "9999", "out_of_range"),
    ("period_year", "2O26", "invalid"),
    ("period_year", 1989, "out_of_range"), ("paid_at", "9999-01-01T00:00:00+08:00", "out_of_range"),
])
def test_a_bad_field_is_rejected_naming_the_field_and_code(field, value, code):
    with pytest.raises(RecordRejected) as rejected:
        parse_record(GOOD | {field: value})
    assert (rejected.value.field, rejected.value.code) == (field, code)


def test_equal_meaning_has_the_same_fingerprint_and_other_content_does_not():
    same = parse_record(GOOD | {"amount": Decimal("140.50"), "paid_at": "2025-11-20T02:15:00+00:00"})
    assert same.fingerprint() == parse_record(GOOD).fingerprint()
    assert parse_record(GOOD | {"amount": "140.51"}).fingerprint() != parse_record(GOOD).fingerprint()


@pytest.mark.parametrize(("field", "value", "code"), [
    ("paid_at", "0001-01-01T00:00:00+08:00", "out_of_range"), ("paid_at", "9999-12-31T23:59:59+08:00", "out_of_range"),
    ("paid_at", "２０２５-11-20T10:15:00+08:00", "invalid"), ("period_year", "２０２６", "invalid"),
    ("period_year", "9999", "out_of_range"), ("certno", "５００２４０１９９００１０１１２３Ｘ", "invalid"),
    ("admdvs", "５００２４０", "invalid"), ("psn_name", "张\x00三", "invalid"), ("psn_name", "名" * 51, "too_long"),
    ("amount", "１４０.５", "invalid"), ("amount", "1E+2", "invalid"), ("amount", ".5", "invalid"),
    ("amount", "380.", "invalid"), ("amount", {}, "invalid"), ("tax_office_code", "TAX\x00", "invalid"),
])
def test_hostile_values_are_rejected_on_their_field(field, value, code):
    """Issue 22: years outside 1990-2100, non-ASCII digits, NULs and overlong names never reach the database."""
    with pytest.raises(RecordRejected) as rejected:
        parse_record(GOOD | {field: value})
    assert (rejected.value.field, rejected.value.code) == (field, code)


def test_a_voucher_with_a_control_character_is_not_reported_back_as_sent():
    assert voucher_of({"tax_voucher_no": "V\x001"}) is None and voucher_of({"tax_voucher_no": " V1 "}) == "V1"
