"""The individual share paid on a person's behalf (代缴 by the government's budget, 资助参保 by medical
assistance): paid on registration or a category change, withdrawn with the premium by a refund that leaves it
short, and paid again when the premium is paid in full again (docs/funding.md)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import on_behalf_payments, premium_accounts
from medfund_billing.domain.government import on_behalf_payer
from medfund_shared.events.types.billing import ContributionOnBehalfPaid, ContributionOnBehalfWithdrawn
from medfund_shared.money import Money
from medfund_shared.policy.catalogue import PolicyCatalogue

PersonYear = tuple[str, int]


async def pay(session: AsyncSession, catalogue: PolicyCatalogue, account, category: str, already_paid: Money,
              due: Money, paid_at: datetime) -> ContributionOnBehalfPaid | None:
    """Store the payment of ``due - already_paid`` (nothing when that is not positive); the caller queues the event.

    ``account`` is anything with ``psn_no, year, admdvs, insutype, pack_id``."""
    amount = due - already_paid
    if amount.fen <= 0:
        return None
    payment_id = str(uuid.uuid4())
    payer = on_behalf_payer(catalogue.get(account.pack_id), category)
    await session.execute(on_behalf_payments.insert().values(
        payment_id=payment_id, psn_no=account.psn_no, year=account.year, category=category,
        amount_fen=amount.fen, paid_at=paid_at, payer=payer))
    await session.execute(update(premium_accounts)
                          .where(premium_accounts.c.psn_no == account.psn_no, premium_accounts.c.year == account.year)
                          .values(on_behalf_paid_fen=due.fen))
    return ContributionOnBehalfPaid(
        payment_id=payment_id, psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype,
        year=account.year, category=category, amount=amount, paid_at=paid_at, payer=payer)


async def repay_withdrawn(session: AsyncSession, catalogue: PolicyCatalogue, person_years: Sequence[PersonYear],
                          paid_at: dict[PersonYear, datetime]) -> dict[PersonYear, ContributionOnBehalfPaid]:
    """Of these person-years, just paid in full, those whose on-behalf share a refund withdrew (paid below due,
    which nothing else leaves) get it paid again at their payment's time."""
    if not person_years:
        return {}
    t = premium_accounts
    rows = (await session.execute(select(t).where(
        tuple_(t.c.psn_no, t.c.year).in_(list(person_years)), t.c.on_behalf_paid_fen < t.c.on_behalf_due_fen)
        .order_by(t.c.psn_no, t.c.year))).all()
    events = {}
    for row in rows:
        key = (row.psn_no, row.year)
        event = await pay(session, catalogue, row, row.category, Money(row.on_behalf_paid_fen),
                          Money(row.on_behalf_due_fen), paid_at[key])
        if event is not None:
            events[key] = event
    return events


async def withdraw(session: AsyncSession, psn_no: str, year: int, admdvs: str, insutype: str, correction_id: str,
                   at: datetime) -> list[ContributionOnBehalfWithdrawn]:
    """Mark every on-behalf payment of the person-year not yet withdrawn as withdrawn by ``correction_id``; the
    events mirror them one by one (the caller queues them)."""
    t = on_behalf_payments
    rows = (await session.execute(
        update(t).where(t.c.psn_no == psn_no, t.c.year == year, t.c.withdrawn_at.is_(None))
        .values(withdrawn_at=at, withdrawal_id=correction_id).returning(t))).all()
    await session.execute(update(premium_accounts)
                          .where(premium_accounts.c.psn_no == psn_no, premium_accounts.c.year == year)
                          .values(on_behalf_paid_fen=0))
    return [ContributionOnBehalfWithdrawn(
        withdrawal_id=f"{correction_id}:{row.payment_id}", payment_id=row.payment_id, correction_id=correction_id,
        psn_no=psn_no, admdvs=admdvs, insutype=insutype, year=year, category=row.category,
        amount=Money(row.amount_fen), payer=row.payer, withdrawn_at=at)
        for row in sorted(rows, key=lambda r: (r.paid_at, r.payment_id))]
