"""One payment record posted as JSON: 201 when new, 200 for an exact replay, 409 for the same
voucher with other content."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters import payment_metrics
from medfund_billing.adapters.tables import payments
from medfund_billing.app.accept_payments import Entry, accept_payments
from medfund_billing.domain.payment_record import PaymentRecord
from medfund_shared.errors import ApiError
from medfund_shared.money import Money
from medfund_shared.policy.catalogue import PolicyCatalogue


async def record_payment(record: PaymentRecord, session: AsyncSession, catalogue: PolicyCatalogue,
                         office_zone: ZoneInfo) -> tuple[dict, bool]:
    """(the payment as stored, created)."""
    outcome = await accept_payments(session, catalogue, [Entry(1, record)], office_zone=office_zone)
    if outcome.refused:
        await session.rollback()
        refused = outcome.refused[0]
        raise ApiError(422, refused.code, refused.message, refused.field)
    if outcome.conflicts:
        await session.rollback()
        raise ApiError(409, "conflict", "this voucher was already accepted with different content", "tax_voucher_no")
    await session.commit()
    payment_metrics.received(entry.record for entry in outcome.accepted)
    row = (await session.execute(select(payments).where(payments.c.tax_voucher_no == record.tax_voucher_no))).one()
    return payment_answer(row), bool(outcome.accepted)


def payment_answer(row) -> dict:
    return {"payment_id": row.payment_id, "tax_voucher_no": row.tax_voucher_no, "certno": row.certno,
            "psn_no": row.psn_no, "admdvs": row.admdvs, "insutype": row.insutype, "period_year": row.year,
            "amount": Money(row.amount_fen).to_yuan(), "paid_at": row.paid_at.isoformat(),
            "tax_office_code": row.tax_office_code, "channel": row.channel,
            "match": row.match}
