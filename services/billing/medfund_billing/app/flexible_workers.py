"""Flexible workers' months (灵活就业, insutype 310) from the tax feed: judged, stored, published.

A 310 payment record names the month (``period``) and the base the worker chose. It is accepted when
the worker is registered as a flexible worker of the region for that year, the base lies within the
pack's floor and ceiling, the month is not paid yet, and ``amount`` is exactly the pack's rate of the
base plus any late fee (滞纳金, from the pack's due day and daily rate, on the payment's local day).
An accepted month becomes an ``employee.contribution_declared`` event (payer ``flexible_worker``):
the ledger books its pool/account split and enrollment counts the month for cover. A 310 payment
opens no premium account and books no ``contribution.received``. A refund or reversal of it withdraws the
month (:func:`withdraw_month`): ``employee.contribution_withdrawn``, and the month may be paid again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.domain.reconciliation import local_day
from medfund_shared.events.types.billing import EmployeeContributionDeclared, EmployeeContributionWithdrawn
from medfund_shared.money import Money
from medfund_shared.policy.contributions import ContributionInputError, flexible_worker_contribution
from medfund_shared.policy.employee_cover import late_fee, period_month
from medfund_shared.policy.pack_set import NoPackInForce, PackSet
from medfund_shared.refusal import NO_POLICY_PACK
from medfund_shared.schemes import EMPLOYEE_SCHEME

FLEXIBLE, PAYER = "flexible", "flexible_worker"
MATCH = "employee_month"
"""``payments.match`` of an accepted flexible worker's month."""


@dataclass(frozen=True)
class FlexibleMonth:
    line: int
    record: object
    psn_no: str
    base: Money
    employee: Money
    pool: Money
    account: Money
    late_fee: Money
    paid_on: date


@dataclass(frozen=True)
class Refused:
    line: int
    record: object
    code: str
    message: str
    field: str


async def new_vouchers(uow: BillingUnitOfWork, vouchers: list[str]) -> set[str]:
    """The vouchers not stored yet (a stored one is a duplicate or a conflict, judged as any payment)."""
    return set(vouchers) - set(await uow.payments.fingerprints(vouchers))


async def judge(uow: BillingUnitOfWork, pack_set: PackSet, entries: list, office_zone: ZoneInfo
                ) -> tuple[list[FlexibleMonth], list[Refused]]:
    """Each new 310 entry accepted as a month or refused with a code, message and field."""
    if not entries:
        return [], []
    members = await uow.employees.members_by_certno({(e.record.certno, e.record.period_year) for e in entries})
    paid = await uow.employees.months_paid_by(PAYER, {(e.record.certno, e.record.period) for e in entries})
    accepted, refused = [], []
    for entry in sorted(entries, key=lambda e: e.line):
        outcome = _judge_one(pack_set, entry, members.get((entry.record.certno, entry.record.period_year)), paid,
                             office_zone)
        if isinstance(outcome, Refused):
            refused.append(outcome)
        else:
            paid.add((entry.record.certno, entry.record.period))
            accepted.append(outcome)
    return accepted, refused


def _judge_one(pack_set: PackSet, entry, member, paid: set, office_zone: ZoneInfo) -> FlexibleMonth | Refused:
    record = entry.record

    def refuse(code: str, message: str, field: str) -> Refused:
        return Refused(entry.line, record, code, message, field)

    if member is None or member.admdvs != record.admdvs:
        return refuse("not_registered", f"no flexible worker registered in {record.admdvs} for {record.period_year} "
                                        "with this certno", "certno")
    if member.kind != FLEXIBLE:
        return refuse("not_flexible_worker", f"registered as {member.kind}: the employer declares the months",
                      "certno")
    start = period_month(record.period)
    if member.terminated_on is not None and member.terminated_on <= start:
        return refuse("not_registered", f"the enrollment ended on {member.terminated_on}", "period")
    if (record.certno, record.period) in paid:
        return refuse("month_already_paid", f"{record.period} is already paid for this person", "period")
    try:
        pack = pack_set.in_force(record.admdvs, EMPLOYEE_SCHEME, start)
        month = flexible_worker_contribution(pack, member.brdy, record.base, start)
    except NoPackInForce as exc:
        return refuse(NO_POLICY_PACK, str(exc), "admdvs")
    except ContributionInputError as exc:
        return refuse("invalid_base", str(exc), "base")
    paid_on = local_day(record.paid_at, office_zone)
    fee = late_fee(pack, start, month.employee, paid_on)
    if record.amount != month.employee + fee:
        owed = f"{month.employee.to_yuan()}" + (f" + late fee {fee.to_yuan()}" if fee.fen else "")
        return refuse("amount_mismatch", f"the month owes {owed} = {(month.employee + fee).to_yuan()}", "amount")
    return FlexibleMonth(entry.line, record, member.psn_no, month.base, month.employee, month.pooled_fund,
                         month.account_credit, fee, paid_on)


async def store(uow: BillingUnitOfWork, months: list[FlexibleMonth], office_zone: ZoneInfo
                ) -> tuple[list[dict], list[tuple[EmployeeContributionDeclared, datetime]]]:
    """Store the accepted months; the payments' match rows and the months' events (for the caller to queue)."""
    matches, events = [], []
    for month in months:
        record, declaration_id = month.record, str(uuid.uuid4())
        start = period_month(record.period)
        await uow.employees.add_month(dict(
            declaration_id=declaration_id, employer_code=None, period=record.period, certno=record.certno,
            psn_no=month.psn_no, admdvs=record.admdvs, fingerprint=record.fingerprint(), retired=False,
            base_fen=month.base.fen, employer_fen=0, employee_fen=month.employee.fen, pool_fen=month.pool.fen,
            account_fen=month.account.fen, payer=PAYER, tax_voucher_no=record.tax_voucher_no,
            late_fee_fen=month.late_fee.fen, paid_on=month.paid_on))
        declared_at = datetime.combine(start, time.min, office_zone)
        events.append((EmployeeContributionDeclared(
            declaration_id=declaration_id, employer_code=None, admdvs=record.admdvs, period=record.period,
            psn_no=month.psn_no, certno=record.certno, base=month.base, employer_amount=Money.zero(),
            employee_amount=month.employee, pool_amount=month.pool, account_amount=month.account,
            declared_at=declared_at, payer=PAYER, tax_voucher_no=record.tax_voucher_no, late_fee=month.late_fee,
            paid_on=month.paid_on), declared_at))
        matches.append({"tax_voucher_no": record.tax_voucher_no, "psn_no": month.psn_no, "match": MATCH})
    return matches, events


async def withdraw_month(uow: BillingUnitOfWork, tax_voucher_no: str, correction_id: str, kind: str, at: datetime,
                         office_zone: ZoneInfo) -> EmployeeContributionWithdrawn:
    """Mark the month this voucher paid as withdrawn by ``correction_id``; its event mirrors the month's (the caller
    queues it)."""
    row = await uow.employees.withdraw_month(tax_voucher_no, PAYER, correction_id, at)
    return EmployeeContributionWithdrawn(
        withdrawal_id=f"{correction_id}:month", declaration_id=row.declaration_id, correction_id=correction_id,
        kind=kind, tax_voucher_no=tax_voucher_no, admdvs=row.admdvs, period=row.period, psn_no=row.psn_no,
        certno=row.certno, employee_amount=Money(row.employee_fen), pool_amount=Money(row.pool_fen),
        account_amount=Money(row.account_fen), late_fee=Money(row.late_fee_fen), withdrawn_at=at,
        since=local_day(at, office_zone))
