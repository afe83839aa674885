"""Kafka handlers: a premium paid in full activates cover (inside the runner's batch transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_enrollment.adapters.uow import ConsumerUnitOfWork
from medfund_enrollment.app.lifecycle import RecordFullPayment, record_full_payment
from medfund_shared.consumer import ConsumerSpec
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.billing import PremiumPaidInFull
from medfund_shared.policy.catalogue import PolicyCatalogue

CONSUMER = "enrollment"
BILLING_TOPIC = "medfund.billing.v1"


def consumers(catalogue: PolicyCatalogue) -> list[ConsumerSpec]:
    async def on_premium_paid(session: AsyncSession, event: CloudEvent, data: PremiumPaidInFull) -> None:
        command = RecordFullPayment(psn_no=data.psn_no, insutype=data.insutype, year=data.year,
                                    paid_at=data.paid_at, on_behalf=data.tax_voucher_no is None)
        await record_full_payment(command, ConsumerUnitOfWork(session), catalogue)

    return [ConsumerSpec(CONSUMER, [BILLING_TOPIC], {PremiumPaidInFull.event_type: on_premium_paid})]
