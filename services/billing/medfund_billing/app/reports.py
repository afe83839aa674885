"""Read-only views: reconciliation with the tax bureau, collection statistics, the suspense list."""

from __future__ import annotations

from datetime import date

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.domain.reconciliation import voucher_digest
from medfund_shared.money import Money


async def reconciliation(uow: BillingUnitOfWork, tax_office_code: str, day: date) -> dict:
    """What was accepted for ``day``: payments whose ``paid_at`` falls on that calendar day in the
    tax office's local time (``MEDFUND_BILLING_TAX_OFFICE_TIMEZONE``, Asia/Shanghai by default).
    Later refunds and reversals do not change a day's acceptance."""
    async with uow:
        rows = await uow.payments.of_office_day(tax_office_code, day)
    return {"tax_office_code": tax_office_code, "date": day.isoformat(), "count": len(rows),
            "amount": Money(sum(r.amount_fen for r in rows)).to_yuan(),
            "voucher_digest": voucher_digest(r.tax_voucher_no for r in rows),
            "digest_algorithm": "sha256 of the voucher numbers sorted ascending, joined by newlines"}


async def collection_statistics(uow: BillingUnitOfWork, admdvs: str, year: int) -> dict:
    """征缴率 = individual premiums collected (net of refunds and reversals, at most the due per
    person) ÷ individual premiums due; plus the headcount paid in full and payments by channel."""
    async with uow:
        persons, due_fen, collected_fen, paid_in_full = await uow.accounts.dues(admdvs, year)
        channels = await uow.payments.live_by_channel(admdvs, year)
    return {"admdvs": admdvs, "year": year, "persons": persons, "paid_in_full": paid_in_full,
            "premium_due": Money(due_fen).to_yuan(), "collected": Money(collected_fen).to_yuan(),
            "collection_rate": _ratio(collected_fen, due_fen),
            "by_channel": [{"channel": c, "payments": n, "amount": Money(s).to_yuan()} for c, n, s in channels]}


def _ratio(part: int, whole: int) -> str | None:
    """Four decimals, exact integer arithmetic (half-up); ``None`` when nothing is due."""
    if whole == 0:
        return None
    scaled = (part * 10_000 * 2 + whole) // (whole * 2)
    return f"{scaled // 10_000}.{scaled % 10_000:04d}"


async def suspense_list(uow: BillingUnitOfWork, limit: int, after: str | None) -> dict:
    async with uow:
        rows = await uow.payments.suspense_page(limit, after)
    items = [{"payment_id": r.payment_id, "tax_voucher_no": r.tax_voucher_no, "certno": r.certno,
              "psn_name": r.psn_name, "admdvs": r.admdvs, "insutype": r.insutype, "year": r.year,
              "amount": Money(r.amount_fen).to_yuan(), "paid_at": r.paid_at.isoformat(), "channel": r.channel,
              "tax_office_code": r.tax_office_code} for r in rows]
    return {"items": items, "next_cursor": items[-1]["payment_id"] if len(items) == limit else None}
