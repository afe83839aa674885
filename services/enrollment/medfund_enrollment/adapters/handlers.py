"""Kafka handlers (inside the runner's batch transaction): a premium paid in full activates resident
cover (or restores cover a refund withdrew), a premium withdrawn by a refund suspends it; an
employee-scheme month declared, paid or refunded, and a retiree's credit, drive 310 cover."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.app.employee_cover import (
    RecordEmployeeMonth,
    WithdrawEmployeeMonth,
    record_employee_month,
    withdraw_employee_month,
)
from medfund_enrollment.app.lifecycle import RecordFullPayment, WithdrawCover, record_full_payment, withdraw_cover
from medfund_shared.consumer import ConsumerSpec
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types import billing
from medfund_shared.events.types.billing import (
    EmployeeAccountCredited,
    EmployeeContributionDeclared,
    EmployeeContributionWithdrawn,
    PremiumPaidInFull,
    PremiumWithdrawn,
)
from medfund_shared.policy.employee_cover import period_month
from medfund_shared.policy.pack_set import PackSet

CONSUMER = "enrollment"


def consumers(pack_set: PackSet) -> list[ConsumerSpec]:
    async def on_premium_paid(session: AsyncSession, event: CloudEvent, data: PremiumPaidInFull) -> None:
        command = RecordFullPayment(psn_no=data.psn_no, insutype=data.insutype, year=data.year,
                                    paid_at=data.paid_at, on_behalf=data.tax_voucher_no is None)
        await record_full_payment(command, UnitOfWork(session, joined=True), pack_set)

    async def on_premium_withdrawn(session: AsyncSession, event: CloudEvent, data: PremiumWithdrawn) -> None:
        note = f"{data.kind} of voucher {data.tax_voucher_no} left the premium unpaid"
        await withdraw_cover(WithdrawCover(data.psn_no, data.insutype, data.year, data.since, note),
                             UnitOfWork(session, joined=True))

    async def on_month_declared(session: AsyncSession, event: CloudEvent, data: EmployeeContributionDeclared) -> None:
        command = RecordEmployeeMonth(data.psn_no, data.admdvs, period_month(data.period), event.effectivetime)
        await record_employee_month(command, UnitOfWork(session, joined=True), pack_set)

    async def on_month_withdrawn(session: AsyncSession, event: CloudEvent, data: EmployeeContributionWithdrawn) -> None:
        command = WithdrawEmployeeMonth(data.psn_no, data.admdvs, period_month(data.period), data.since,
                                        f"{data.kind} of voucher {data.tax_voucher_no} left {data.period} unpaid")
        await withdraw_employee_month(command, UnitOfWork(session, joined=True), pack_set)

    async def on_account_credited(session: AsyncSession, event: CloudEvent, data: EmployeeAccountCredited) -> None:
        command = RecordEmployeeMonth(None, data.admdvs, period_month(data.period), event.effectivetime)
        await record_employee_month(command, UnitOfWork(session, joined=True), pack_set)

    return [ConsumerSpec(CONSUMER, [billing.TOPIC], {
        PremiumPaidInFull.event_type: on_premium_paid, PremiumWithdrawn.event_type: on_premium_withdrawn,
        EmployeeContributionDeclared.event_type: on_month_declared,
        EmployeeContributionWithdrawn.event_type: on_month_withdrawn,
        EmployeeAccountCredited.event_type: on_account_credited})]
