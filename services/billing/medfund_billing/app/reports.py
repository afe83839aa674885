"""Read-only views: reconciliation with the tax bureau, collection statistics, the suspense list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import corrections, payments, premium_accounts
from medfund_billing.app.suspense import in_suspense
from medfund_billing.domain.reconciliation import voucher_digest
from medfund_shared.money import Money


async def reconciliation(session: AsyncSession, tax_office_code: str, day: date) -> dict:
    """What was accepted for ``day``: payments whose ``paid_at`` falls on that calendar day in the
    tax office's local time (``MEDFUND_BILLING_TAX_OFFICE_TIMEZONE``, Asia/Shanghai by default).
    Later refunds and reversals do not change a day's acceptance."""
    rows = (await session.execute(select(payments.c.tax_voucher_no, payments.c.amount_fen).where(
        payments.c.tax_office_code == tax_office_code, payments.c.paid_on == day))).all()
    return {"tax_office_code": tax_office_code, "date": day.isoformat(), "count": len(rows),
            "amount": Money(sum(r.amount_fen for r in rows)).to_yuan(),
            "voucher_digest": voucher_digest(r.tax_voucher_no for r in rows),
            "digest_algorithm": "sha256 of the voucher numbers sorted ascending, joined by newlines"}


async def collection_statistics(session: AsyncSession, admdvs: str, year: int) -> dict:
    """征缴率 = individual premiums collected (net of refunds and reversals, at most the due per
    person) ÷ individual premiums due; plus the headcount paid in full and payments by channel."""
    a = premium_accounts
    due = (await session.execute(select(
        func.count(), func.coalesce(func.sum(a.c.premium_due_fen), 0),
        func.coalesce(func.sum(func.least(a.c.paid_fen, a.c.premium_due_fen)), 0),
        func.count().filter(a.c.paid_in_full)).where(a.c.admdvs == admdvs, a.c.year == year))).one()
    persons, due_fen, collected_fen, paid_in_full = due
    live = ~payments.c.payment_id.in_(select(corrections.c.payment_id))
    channels = (await session.execute(
        select(payments.c.channel, func.count(), func.sum(payments.c.amount_fen))
        .where(payments.c.admdvs == admdvs, payments.c.year == year, live)
        .group_by(payments.c.channel).order_by(payments.c.channel))).all()
    return {"admdvs": admdvs, "year": year, "persons": persons, "paid_in_full": paid_in_full,
            "premium_due": Money(int(due_fen)).to_yuan(), "collected": Money(int(collected_fen)).to_yuan(),
            "collection_rate": _ratio(int(collected_fen), int(due_fen)),
            "by_channel": [{"channel": c, "payments": n, "amount": Money(int(s)).to_yuan()} for c, n, s in channels]}


def _ratio(part: int, whole: int) -> str | None:
    """Four decimals, exact integer arithmetic (half-up); ``None`` when nothing is due."""
    if whole == 0:
        return None
    scaled = (part * 10_000 * 2 + whole) // (whole * 2)
    return f"{scaled // 10_000}.{scaled % 10_000:04d}"


async def suspense_list(session: AsyncSession, limit: int, after: str | None) -> dict:
    query = in_suspense().order_by(payments.c.payment_id).limit(limit)
    if after is not None:
        query = query.where(payments.c.payment_id > after)
    rows = (await session.execute(query)).all()
    items = [{"payment_id": r.payment_id, "tax_voucher_no": r.tax_voucher_no, "certno": r.certno,
              "psn_name": r.psn_name, "admdvs": r.admdvs, "insutype": r.insutype, "year": r.year,
              "amount": Money(r.amount_fen).to_yuan(), "paid_at": r.paid_at.isoformat(), "channel": r.channel,
              "tax_office_code": r.tax_office_code} for r in rows]
    return {"items": items, "next_cursor": items[-1]["payment_id"] if len(items) == limit else None}
