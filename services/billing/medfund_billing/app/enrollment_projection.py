"""Who owes what: the premium accounts kept from ``medfund.enrollment.v1``.

A resident (390) registration opens a premium account; an employee-scheme (310) registration owes no
premium (employers declare months, flexible workers pay them through the tax feed) and records the
member in ``employee_members``, which declarations and flexible workers' payments are checked against.

Registration opens the person's account for the year, pays the government's share for subsidised
categories (代缴), and matches any payment that arrived before the person was known; a category
change recomputes both shares; a refusal of cover marks the year's money as refundable. These run
inside the consumer's batch transaction and never commit; an event for an account never opened
raises, so the consumer parks it as a dead letter instead of dropping it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters import accounts
from medfund_billing.adapters.tables import employee_members, premium_accounts
from medfund_billing.app import on_behalf
from medfund_billing.app.premium_completed import SOURCE, premium_completed
from medfund_billing.app.suspense import attach_suspended
from medfund_billing.domain.matching import PremiumAccount, change_due
from medfund_shared import outbox
from medfund_shared.events.types.enrollment import (
    CategoryChanged,
    CoverageRefused,
    CoverageTerminated,
    PersonRegistered,
)
from medfund_shared.money import Money
from medfund_shared.policy.catalogue import PolicyCatalogue

EMPLOYEE_SCHEME = "310"


async def person_registered(session: AsyncSession, catalogue: PolicyCatalogue, data: PersonRegistered,
                            registered_at: datetime) -> None:
    if data.insutype == EMPLOYEE_SCHEME:
        await employee_registered(session, data, registered_at)
        return
    await accounts.lock_identities(session, [(data.certno, data.year, data.insutype)])
    inserted = await session.scalar(insert(premium_accounts).values(
        psn_no=data.psn_no, year=data.year, certno=data.certno, admdvs=data.admdvs, insutype=data.insutype,
        category=data.category, tier=data.tier, pack_id=data.pack_id, premium_due_fen=data.premium_due.fen,
        on_behalf_due_fen=data.on_behalf_due.fen, registered_at=registered_at,
    ).on_conflict_do_nothing().returning(premium_accounts.c.psn_no))
    if inserted is None:
        return
    account = await accounts.lock_one(session, data.psn_no, data.year)
    await _pay_on_behalf(session, catalogue, account, data.category, Money.zero(), data.on_behalf_due, registered_at)
    if account.covers_premium:
        account = await _complete(session, catalogue, account, registered_at)
    account = await attach_suspended(session, catalogue, account, "registration")
    await accounts.save(session, [account])


async def category_changed(session: AsyncSession, catalogue: PolicyCatalogue, data: CategoryChanged,
                           changed_at: datetime) -> None:
    """New dues from the change date; the government pays any increase of its share at once."""
    account = await accounts.lock_one(session, data.psn_no, data.year)
    if account is None:
        raise LookupError(f"category change for {data.psn_no} in {data.year} before registration")
    previous_on_behalf = Money(await session.scalar(
        update(premium_accounts).where(premium_accounts.c.psn_no == data.psn_no, premium_accounts.c.year == data.year)
        .values(category=data.category, tier=data.tier, on_behalf_due_fen=data.on_behalf_due.fen)
        .returning(premium_accounts.c.on_behalf_paid_fen)))
    await _pay_on_behalf(session, catalogue, account, data.category, previous_on_behalf, data.on_behalf_due,
                         changed_at)
    account, completes = change_due(account, data.premium_due)
    if completes:
        await premium_completed(session, catalogue, account, changed_at, None)
    await accounts.save(session, [account])


async def employee_registered(session: AsyncSession, data: PersonRegistered, registered_at: datetime) -> None:
    """A 310 member for the year (a repeated event changes nothing)."""
    if data.employee_kind is None:
        raise ValueError(f"310 registration of {data.psn_no} without employee_kind")
    await session.execute(insert(employee_members).values(
        psn_no=data.psn_no, year=data.year, certno=data.certno, admdvs=data.admdvs, gend=data.gend, brdy=data.brdy,
        kind=data.employee_kind, employer_code=data.employer_code,
        monthly_pension_fen=data.monthly_pension.fen if data.monthly_pension is not None else None,
        registered_at=registered_at).on_conflict_do_nothing())


async def coverage_terminated(session: AsyncSession, data: CoverageTerminated) -> None:
    if data.insutype == EMPLOYEE_SCHEME:
        await session.execute(update(employee_members).where(
            employee_members.c.psn_no == data.psn_no, employee_members.c.year == data.year).values(
            terminated_on=data.on))
        return
    await _update_account(session, data.psn_no, data.year, terminated_on=data.on)


async def coverage_refused(session: AsyncSession, data: CoverageRefused) -> None:
    """The premium bought no cover: its payments stay recorded and become refundable (listed by
    ``GET /v1/coverage-refusals`` until an operator refunds or reverses them). A 310 refusal (a retiree
    short of contribution years) moves no money: nothing was paid."""
    if data.insutype == EMPLOYEE_SCHEME:
        return
    await _update_account(session, data.psn_no, data.year, coverage_refused_reason=data.reason,
                          coverage_refusal_message=data.message, coverage_refused_at=data.paid_at)


async def _update_account(session: AsyncSession, psn_no: str, year: int, **values) -> None:
    updated = await session.scalar(update(premium_accounts)
                                   .where(premium_accounts.c.psn_no == psn_no, premium_accounts.c.year == year)
                                   .values(**values).returning(premium_accounts.c.psn_no))
    if updated is None:
        raise LookupError(f"no premium account for {psn_no} in {year}")


async def _pay_on_behalf(session: AsyncSession, catalogue: PolicyCatalogue, account: PremiumAccount, category: str,
                         already_paid: Money, due: Money, paid_at: datetime) -> None:
    event = await on_behalf.pay(session, catalogue, account, category, already_paid, due, paid_at)
    if event is not None:
        await outbox.add(session, event, source=SOURCE, effective_time=paid_at)


async def _complete(session: AsyncSession, catalogue: PolicyCatalogue, account: PremiumAccount,
                    at: datetime) -> PremiumAccount:
    """The individual owes nothing (the government pays it all): paid in full on registration."""
    await premium_completed(session, catalogue, account, at, None)
    return replace(account, paid_in_full=True)
