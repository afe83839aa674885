"""One payment record posted as JSON: 201 when new, 200 for an exact replay, 409 for the same
voucher with other content.

The tax voucher number is the request's idempotency key (design rule 9): its first answer is stored in the
shared idempotency store in the same transaction as the payment, so a retry, at any instance and at any
later time, gets that first answer back (with 200), not the payment as matching has changed it since."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from medfund_billing.adapters import payment_metrics
from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app.accept_payments import Entry, accept_payments
from medfund_billing.domain.payment_record import PaymentRecord
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.refusal import Refusal

COLLECTIONS_SCOPE = "collections"


async def record_payment(record: PaymentRecord, uow: BillingUnitOfWork, pack_set: PackSet,
                         office_zone: ZoneInfo) -> tuple[dict, bool]:
    """(the first answer to this voucher, created)."""
    request = IdempotentRequest(COLLECTIONS_SCOPE, record.tax_voucher_no, record.fingerprint(),
                                success_status=201, field="tax_voucher_no")
    async with uow:
        if (first := await uow.idempotency.claim(request)) is not None:
            return first.body, False
        outcome = await accept_payments(uow, pack_set, [Entry(1, record)], office_zone=office_zone)
        if outcome.refused:
            refused = outcome.refused[0]
            raise Refusal.invalid(refused.code, refused.message, refused.field)
        if outcome.conflicts:
            raise Refusal.conflict("conflict", "this voucher was already accepted with different content",
                                   "tax_voucher_no")
        created = bool(outcome.accepted)
        answer = payment_answer(await uow.payments.by_voucher(record.tax_voucher_no))
        await uow.idempotency.remember(request if created else replace(request, success_status=200), answer)
        await uow.commit()
    payment_metrics.received(entry.record for entry in outcome.accepted)
    return answer, created


def payment_answer(row) -> dict:
    return {"payment_id": row.payment_id, "tax_voucher_no": row.tax_voucher_no, "certno": row.certno,
            "psn_no": row.psn_no, "admdvs": row.admdvs, "insutype": row.insutype, "period_year": row.year,
            "amount": Money(row.amount_fen).to_yuan(), "paid_at": row.paid_at.isoformat(),
            "tax_office_code": row.tax_office_code, "channel": row.channel,
            "match": row.match}
