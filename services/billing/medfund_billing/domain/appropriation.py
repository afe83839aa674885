"""One appropriation to a fund (civil affairs' or finance's money for medical assistance, or the risk
reserve), validated field by field like a payment record: either an :class:`Appropriation` or a
:class:`~medfund_billing.domain.payment_record.RecordRejected` naming the field and a stable code."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from medfund_billing.domain.payment_record import RecordRejected, required_value
from medfund_shared.money import Money, MoneyError
from medfund_shared.schemes import APPROPRIATED_FUNDS

SOURCES = frozenset({"civil_affairs", "finance"})
ID_PATTERN_MAX = 64
FIRST_YEAR, LAST_YEAR = 1990, 2100
"""The years an appropriation may be for; the region's pack must also be in force in that year."""


@dataclass(frozen=True, slots=True)
class Appropriation:
    appropriation_id: str
    admdvs: str
    fund_pay_type: str
    year: int
    amount: Money
    received_at: datetime
    source: str
    voucher_no: str

    def fingerprint(self) -> str:
        """The content's identity: ``100`` and ``100.00``, or one instant in two offsets, are the same."""
        canonical = "|".join((self.appropriation_id, self.admdvs, self.fund_pay_type, str(self.year),
                              str(self.amount.fen), self.received_at.astimezone(UTC).isoformat(), self.source,
                              self.voucher_no))
        return hashlib.sha256(canonical.encode()).hexdigest()


def parse_appropriation(raw: Any) -> Appropriation:
    """Validate the body of ``POST /v1/appropriations``; raises for the first field that is wrong."""
    if not isinstance(raw, dict):
        raise RecordRejected("malformed", "an appropriation must be an object with the documented fields")
    return Appropriation(
        appropriation_id=_text(raw, "appropriation_id", ID_PATTERN_MAX),
        admdvs=_admdvs(raw),
        fund_pay_type=_choice(raw, "fund_pay_type", APPROPRIATED_FUNDS),
        year=_year(raw),
        amount=_amount(raw),
        received_at=_received_at(raw),
        source=_choice(raw, "source", SOURCES),
        voucher_no=_text(raw, "voucher_no", ID_PATTERN_MAX),
    )


def _text(raw: dict, field: str, max_length: int) -> str:
    value = required_value(raw, field)
    if not isinstance(value, str):
        raise RecordRejected("invalid", f"{field} must be a string", field)
    if len(value) > max_length:
        raise RecordRejected("too_long", f"{field} must have at most {max_length} characters", field)
    return value


def _admdvs(raw: dict) -> str:
    value = required_value(raw, "admdvs")
    if not isinstance(value, str) or len(value) != 6 or not value.isdigit():
        raise RecordRejected("invalid", "admdvs must be a string of 6 digits", "admdvs")
    return value


def _choice(raw: dict, field: str, allowed: frozenset[str]) -> str:
    value = required_value(raw, field)
    if value not in allowed:
        raise RecordRejected("invalid", f"{field} must be one of {sorted(allowed)}", field)
    return value


def _year(raw: dict) -> int:
    value = required_value(raw, "year")
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordRejected("invalid", "year must be an integer such as 2026", "year")
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise RecordRejected("out_of_range", f"year must lie between {FIRST_YEAR} and {LAST_YEAR}", "year")
    return value


def _amount(raw: dict) -> Money:
    value = required_value(raw, "amount")
    if not isinstance(value, str):
        raise RecordRejected("invalid", "amount must be yuan as decimal text, e.g. \"1500000.00\"", "amount")
    try:
        amount = Money.from_yuan(value)
    except MoneyError as exc:
        code = "too_many_decimals" if "decimals" in str(exc) else "invalid"
        raise RecordRejected(code, f"amount: {exc}", "amount") from None
    if amount.fen <= 0:
        raise RecordRejected("not_positive", "amount must be greater than zero", "amount")
    return amount


def _received_at(raw: dict) -> datetime:
    value = required_value(raw, "received_at")
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise RecordRejected("invalid", "received_at must be an ISO 8601 date-time", "received_at")
    if moment.utcoffset() is None:
        raise RecordRejected("missing_offset", "received_at must carry a UTC offset, e.g. +08:00", "received_at")
    return moment
