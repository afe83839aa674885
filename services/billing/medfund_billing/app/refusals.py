"""Person-years whose premium enrollment refused to turn into cover, with the money to give back:
each payment is refundable until a refund or reversal is recorded for it."""

from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import corrections, payments, premium_accounts
from medfund_shared.errors import ApiError
from medfund_shared.money import Money


async def coverage_refusals(session: AsyncSession, limit: int, after: str | None) -> dict:
    """A page ordered by (psn_no, year); the cursor is ``{psn_no}:{year}`` of the last item."""
    a = premium_accounts
    query = select(a).where(a.c.coverage_refused_reason.is_not(None)).order_by(a.c.psn_no, a.c.year).limit(limit)
    if after is not None:
        query = query.where(tuple_(a.c.psn_no, a.c.year) > _cursor(after))
    accounts = (await session.execute(query)).all()
    money = await _payments_of(session, [(r.psn_no, r.year) for r in accounts])
    items = [_item(r, money.get((r.psn_no, r.year), [])) for r in accounts]
    last = accounts[-1] if len(accounts) == limit else None
    return {"items": items, "next_cursor": f"{last.psn_no}:{last.year}" if last else None}


async def _payments_of(session: AsyncSession, keys: list[tuple[str, int]]) -> dict[tuple[str, int], list]:
    if not keys:
        return {}
    rows = (await session.execute(
        select(payments.c.psn_no, payments.c.year, payments.c.payment_id, payments.c.tax_voucher_no,
               payments.c.amount_fen, payments.c.paid_at, corrections.c.kind)
        .outerjoin(corrections, corrections.c.payment_id == payments.c.payment_id)
        .where(tuple_(payments.c.psn_no, payments.c.year).in_(keys))
        .order_by(payments.c.paid_at, payments.c.tax_voucher_no))).all()
    grouped: dict[tuple[str, int], list] = {}
    for row in rows:
        grouped.setdefault((row.psn_no, row.year), []).append(row)
    return grouped


def _item(account, rows: list) -> dict:
    refundable = sum(r.amount_fen for r in rows if r.kind is None)
    return {"psn_no": account.psn_no, "year": account.year, "insutype": account.insutype, "admdvs": account.admdvs,
            "reason": account.coverage_refused_reason, "message": account.coverage_refusal_message,
            "refused_at": account.coverage_refused_at.isoformat(),
            "on_behalf_paid": Money(account.on_behalf_paid_fen).to_yuan(), "refundable": Money(refundable).to_yuan(),
            "payments": [{"payment_id": r.payment_id, "tax_voucher_no": r.tax_voucher_no,
                          "amount": Money(r.amount_fen).to_yuan(), "paid_at": r.paid_at.isoformat(),
                          "refundable": r.kind is None, "corrected_by": r.kind} for r in rows]}


def _cursor(text: str) -> tuple[str, int]:
    psn_no, _, year = text.rpartition(":")
    if not psn_no or not year.isdigit():
        raise ApiError(422, "invalid", "cursor must be the next_cursor of a previous page", "cursor")
    return psn_no, int(year)
