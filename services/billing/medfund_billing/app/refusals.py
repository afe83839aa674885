"""Person-years whose premium enrollment refused to turn into cover, with the money to give back:
each payment is refundable until a refund or reversal is recorded for it."""

from __future__ import annotations

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_shared.money import Money
from medfund_shared.refusal import Refusal


async def coverage_refusals(uow: BillingUnitOfWork, limit: int, after: str | None) -> dict:
    """A page ordered by (psn_no, year); the cursor is ``{psn_no}:{year}`` of the last item."""
    cursor = _cursor(after) if after is not None else None
    async with uow:
        accounts = await uow.accounts.refused_page(limit, cursor)
        rows = await uow.payments.with_corrections([(r.psn_no, r.year) for r in accounts])
    money: dict[tuple[str, int], list] = {}
    for row in rows:
        money.setdefault((row.psn_no, row.year), []).append(row)
    items = [_item(r, money.get((r.psn_no, r.year), [])) for r in accounts]
    last = accounts[-1] if len(accounts) == limit else None
    return {"items": items, "next_cursor": f"{last.psn_no}:{last.year}" if last else None}


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
        raise Refusal.invalid("invalid", "cursor must be the next_cursor of a previous page", "cursor")
    return psn_no, int(year)
