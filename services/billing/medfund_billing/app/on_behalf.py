"""The individual share paid on a person's behalf (代缴 by the government's budget, 资助参保 by medical
assistance): paid on registration or a category change, withdrawn with the premium by a refund that leaves it
short, and paid again when the premium is paid in full again (docs/funding.md)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.domain.government import on_behalf_payer
from medfund_shared.events.types.billing import ContributionOnBehalfPaid, ContributionOnBehalfWithdrawn
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

PersonYear = tuple[str, int]


async def pay(uow: BillingUnitOfWork, pack_set: PackSet, account, category: str, already_paid: Money,
              due: Money, paid_at: datetime) -> ContributionOnBehalfPaid | None:
    """Store the payment of ``due - already_paid`` (nothing when that is not positive); the caller queues the event.

    ``account`` is anything with ``psn_no, year, admdvs, insutype, pack_id``."""
    amount = due - already_paid
    if amount.fen <= 0:
        return None
    payment_id = str(uuid.uuid4())
    payer = on_behalf_payer(pack_set.get(account.pack_id), category)
    await uow.government.add_on_behalf(payment_id=payment_id, psn_no=account.psn_no, year=account.year,
                                       category=category, amount_fen=amount.fen, paid_at=paid_at, payer=payer)
    await uow.accounts.update(account.psn_no, account.year, on_behalf_paid_fen=due.fen)
    return ContributionOnBehalfPaid(
        payment_id=payment_id, psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype,
        year=account.year, category=category, amount=amount, paid_at=paid_at, payer=payer)


async def repay_withdrawn(uow: BillingUnitOfWork, pack_set: PackSet, person_years: Sequence[PersonYear],
                          paid_at: dict[PersonYear, datetime]) -> dict[PersonYear, ContributionOnBehalfPaid]:
    """Of these person-years, just paid in full, those whose on-behalf share a refund withdrew (paid below due,
    which nothing else leaves) get it paid again at their payment's time."""
    events = {}
    for row in await uow.accounts.short_of_on_behalf(list(person_years)):
        key = (row.psn_no, row.year)
        event = await pay(uow, pack_set, row, row.category, Money(row.on_behalf_paid_fen),
                          Money(row.on_behalf_due_fen), paid_at[key])
        if event is not None:
            events[key] = event
    return events


async def withdraw(uow: BillingUnitOfWork, psn_no: str, year: int, admdvs: str, insutype: str, correction_id: str,
                   at: datetime) -> list[ContributionOnBehalfWithdrawn]:
    """Mark every on-behalf payment of the person-year not yet withdrawn as withdrawn by ``correction_id``; the
    events mirror them one by one (the caller queues them)."""
    rows = await uow.government.withdraw_on_behalf(psn_no, year, correction_id, at)
    await uow.accounts.update(psn_no, year, on_behalf_paid_fen=0)
    return [ContributionOnBehalfWithdrawn(
        withdrawal_id=f"{correction_id}:{row.payment_id}", payment_id=row.payment_id, correction_id=correction_id,
        psn_no=psn_no, admdvs=admdvs, insutype=insutype, year=year, category=row.category,
        amount=Money(row.amount_fen), payer=row.payer, withdrawn_at=at) for row in rows]
