"""What happens when a person's individual premium for a year is covered: coverage can start
(``premium.paid_in_full``) and the government's per-capita subsidy is allocated, once per person-year."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import subsidies
from medfund_billing.domain.government import subsidy_allocation
from medfund_billing.domain.matching import PremiumAccount
from medfund_shared import outbox
from medfund_shared.events.types.billing import PremiumPaidInFull, SubsidyAllocated, SubsidyShare
from medfund_shared.policy.catalogue import PolicyCatalogue

SOURCE = "medfund/billing"
AddEvent = Callable[..., Awaitable[object]]


async def premium_completed(session: AsyncSession, catalogue: PolicyCatalogue, account: PremiumAccount,
                            paid_at: datetime, tax_voucher_no: str | None, add_event: AddEvent = outbox.add) -> None:
    """Queue ``paid_in_full`` and the subsidy; runs in the caller's transaction (``add_event`` is
    ``outbox.add`` or a caller's batch of outbox rows, keeping the events in order)."""
    await add_event(session, PremiumPaidInFull(
        psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype, year=account.year,
        paid_at=paid_at, tax_voucher_no=tax_voucher_no, premium_due=account.premium_due,
    ), source=SOURCE, effective_time=paid_at)
    await _allocate_subsidy(session, catalogue, account, paid_at, add_event)


async def _allocate_subsidy(session: AsyncSession, catalogue: PolicyCatalogue, account: PremiumAccount,
                            allocated_at: datetime, add_event: AddEvent) -> None:
    allocation = subsidy_allocation(catalogue.get(account.pack_id))
    subsidy_id = str(uuid.uuid4())
    shares = [SubsidyShare(level=level, amount=amount) for level, amount in allocation.shares]
    inserted = await session.scalar(insert(subsidies).values(
        subsidy_id=subsidy_id, psn_no=account.psn_no, year=account.year, admdvs=account.admdvs,
        amount_fen=allocation.amount.fen, shares=[s.model_dump(mode="json") for s in shares],
        allocated_at=allocated_at,
    ).on_conflict_do_nothing().returning(subsidies.c.subsidy_id))
    if inserted is None:
        return
    await add_event(session, SubsidyAllocated(
        subsidy_id=subsidy_id, psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype,
        year=account.year, amount=allocation.amount, shares=shares, allocated_at=allocated_at,
    ), source=SOURCE, effective_time=allocated_at)
