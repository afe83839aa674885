"""What the tax bureau and we compare each day: count, amount and a digest of voucher numbers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, tzinfo


def local_day(paid_at: datetime, office_timezone: tzinfo) -> date:
    """The calendar day of a payment in the tax office's local time (not UTC, not the server's)."""
    return paid_at.astimezone(office_timezone).date()


def voucher_digest(vouchers: Iterable[str]) -> str:
    """sha256 (hex) of the voucher numbers sorted ascending, joined by newlines."""
    return hashlib.sha256("\n".join(sorted(vouchers)).encode()).hexdigest()
