"""One tax-bureau payment record, validated field by field (the same rules for JSON and file lines).

A record either parses into a :class:`PaymentRecord` or is refused with a :class:`RecordRejected`
naming the field and a machine-readable code. Values may come as JSON types or as CSV strings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from medfund_shared.money import Money, MoneyError
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME
from medfund_shared.text_rules import FREE_TEXT_MAX_LENGTH, NAME_MAX_LENGTH, ascii_digits, text_problem
from medfund_shared.year_range import OutOfRange, check_date, check_year

FIELDS = ("tax_voucher_no", "certno", "psn_name", "insutype", "admdvs", "period_year", "amount",
          "paid_at", "tax_office_code", "channel")
EMPLOYEE_FIELDS = ("period", "base")
"""A flexible worker's month (insutype 310): the month paid (``YYYY-MM``) and the base chosen."""
CHANNELS = frozenset({"etax", "app", "wechat", "alipay", "bank_counter", "bank_deduction", "agent"})
INSUTYPES = frozenset({RESIDENT_SCHEME, EMPLOYEE_SCHEME})
VOUCHER_MAX_LENGTH = 30
CERTNO_LENGTH = 18
ADMDVS_LENGTH = 6


class RecordRejected(ValueError):
    """A record that cannot be accepted; ``code`` is stable for machines, ``message`` for people."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    tax_voucher_no: str
    certno: str
    psn_name: str
    insutype: str
    admdvs: str
    period_year: int
    amount: Money
    paid_at: datetime
    tax_office_code: str
    channel: str
    period: str | None = None
    """310 only: the month a flexible worker pays (``YYYY-MM``)."""
    base: Money | None = None
    """310 only: the contribution base the flexible worker chose."""

    def fingerprint(self) -> str:
        """Identity of the content: a retry with the same meaning has the same fingerprint
        (``100`` and ``100.00``, or the same instant in another offset, are the same payment)."""
        parts = (self.tax_voucher_no, self.certno, self.psn_name, self.insutype, self.admdvs,
                 str(self.period_year), str(self.amount.fen), self.paid_at.astimezone(UTC).isoformat(),
                 self.tax_office_code, self.channel)
        if self.insutype == EMPLOYEE_SCHEME:
            parts += (self.period or "", str(self.base.fen if self.base else ""))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def parse_record(raw: Any, year_as_text: bool = True) -> PaymentRecord:
    """Validate one record; raises :class:`RecordRejected` for the first field that is wrong.

    A tax file's lines may carry ``period_year`` as digit text (a CSV has nothing else); a JSON body
    (``year_as_text=False``) must send a JSON integer, so ``"2026"`` is refused like ``2026.0`` or ``true``."""
    if not isinstance(raw, dict):
        raise RecordRejected("malformed", "a payment record must be an object with the documented fields")
    voucher = _text(raw, "tax_voucher_no", max_length=VOUCHER_MAX_LENGTH)
    record = PaymentRecord(
        tax_voucher_no=voucher,
        certno=_certno(raw),
        psn_name=_text(raw, "psn_name", max_length=NAME_MAX_LENGTH),
        insutype=_choice(raw, "insutype", INSUTYPES),
        admdvs=_digits(raw, "admdvs", ADMDVS_LENGTH),
        period_year=_year(raw, year_as_text),
        amount=_amount(raw),
        paid_at=_paid_at(raw),
        tax_office_code=_text(raw, "tax_office_code"),
        channel=_choice(raw, "channel", CHANNELS),
    )
    if record.insutype != EMPLOYEE_SCHEME:
        return record
    period = _period(raw, record.period_year)
    return replace(record, period=period, base=_amount(raw, "base"))


def voucher_of(raw: Any) -> str | None:
    """The voucher number of a raw record, if readable (for reporting a rejected line)."""
    value = raw.get("tax_voucher_no") if isinstance(raw, dict) else None
    if value is None:
        return None
    voucher = str(value).strip()[:VOUCHER_MAX_LENGTH]
    return voucher if voucher and text_problem(voucher, VOUCHER_MAX_LENGTH) is None else None


def required_value(raw: dict, field: str) -> Any:
    """``raw[field]`` stripped if it is text; refused as ``missing`` when absent or blank (tax lines and
    appropriations alike)."""
    value = raw.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RecordRejected("missing", f"{field} is required", field)
    return value.strip() if isinstance(value, str) else value


def _text(raw: dict, field: str, max_length: int = FREE_TEXT_MAX_LENGTH) -> str:
    value = required_value(raw, field)
    if not isinstance(value, str):
        raise RecordRejected("invalid", f"{field} must be a string", field)
    if problem := text_problem(value, max_length):
        raise RecordRejected("too_long" if len(value) > max_length else "invalid", f"{field} {problem}", field)
    return value


def _certno(raw: dict) -> str:
    value = _text(raw, "certno").upper()
    if len(value) != CERTNO_LENGTH or not ascii_digits(value[:-1]) or not (ascii_digits(value[-1]) or value[-1] == "X"):
        raise RecordRejected("invalid", "certno must be an 18-character resident ID", "certno")
    return value


def _choice(raw: dict, field: str, allowed: frozenset[str]) -> str:
    value = str(required_value(raw, field))
    if value not in allowed:
        raise RecordRejected("invalid", f"{field} must be one of {sorted(allowed)}", field)
    return value


def _digits(raw: dict, field: str, length: int) -> str:
    value = str(required_value(raw, field))
    if len(value) != length or not ascii_digits(value):
        raise RecordRejected("invalid", f"{field} must be {length} digits", field)
    return value


def _year(raw: dict, as_text: bool) -> int:
    value = required_value(raw, "period_year")
    digit_text = as_text and isinstance(value, str) and ascii_digits(value)
    if isinstance(value, bool) or not (isinstance(value, int) or digit_text):
        expected = "a year such as 2026" if as_text else "a JSON integer such as 2026"
        raise RecordRejected("invalid", f"period_year must be {expected}", "period_year")
    try:
        return check_year(int(value), "period_year")
    except OutOfRange as exc:
        raise RecordRejected("out_of_range", str(exc), "period_year") from None


def _period(raw: dict, year: int) -> str:
    value = str(required_value(raw, "period"))
    if len(value) != 7 or value[4] != "-" or not ascii_digits(value[:4] + value[5:]) or not 1 <= int(value[5:]) <= 12:
        raise RecordRejected("invalid", "period must be the month paid, YYYY-MM (insutype 310)", "period")
    if int(value[:4]) != year:
        raise RecordRejected("invalid", "period must fall in period_year", "period")
    return value


def _amount(raw: dict, field: str = "amount") -> Money:
    required_value(raw, field)
    value = raw[field]  # as sent, not stripped: an amount is plain decimal text without padding (issue 22)
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int, Decimal)):
        raise RecordRejected("invalid", f"{field} must be a decimal number of yuan", field)
    try:
        amount = Money.from_yuan(value)
    except MoneyError as exc:
        code = "too_many_decimals" if "decimals" in str(exc) else "invalid"
        raise RecordRejected(code, f"{field}: {exc}", field) from None
    if amount.fen <= 0:
        raise RecordRejected("not_positive", f"{field} must be greater than zero", field)
    return amount


def _paid_at(raw: dict) -> datetime:
    value = str(required_value(raw, "paid_at"))
    try:
        moment = datetime.fromisoformat(value) if value.isascii() else None
    except ValueError:
        moment = None
    if moment is None:
        raise RecordRejected("invalid", "paid_at must be an ISO 8601 date-time", "paid_at")
    if moment.utcoffset() is None:
        raise RecordRejected("missing_offset", "paid_at must carry a UTC offset, e.g. +08:00", "paid_at")
    try:
        return check_date(moment, "paid_at")
    except OutOfRange as exc:
        raise RecordRejected("out_of_range", str(exc), "paid_at") from None
