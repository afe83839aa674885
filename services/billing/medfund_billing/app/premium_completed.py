"""What happens when a person's individual premium for a year is covered: coverage can start
(``premium.paid_in_full``) and the government's per-capita subsidy is allocated, once per person-year while
not withdrawn; an on-behalf share a refund withdrew (:mod:`medfund_billing.app.premium_withdrawn`) is paid again."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app import on_behalf
from medfund_billing.domain.government import subsidy_allocation
from medfund_billing.domain.matching import PremiumAccount
from medfund_shared.events.base import EventData
from medfund_shared.events.types.billing import PremiumPaidInFull, SubsidyAllocated, SubsidyShare
from medfund_shared.policy.pack_set import PackSet

PersonYear = tuple[str, int]
Timed = tuple[EventData, datetime]
"""An event and its business time, as ``uow.emit_all`` takes them."""


@dataclass(frozen=True, slots=True)
class Completion:
    account: PremiumAccount
    paid_at: datetime
    tax_voucher_no: str | None


async def premium_completed(uow: BillingUnitOfWork, pack_set: PackSet, account: PremiumAccount,
                            paid_at: datetime, tax_voucher_no: str | None) -> None:
    """Queue ``paid_in_full`` and the government's money in the unit of work."""
    completion = Completion(account, paid_at, tax_voucher_no)
    government = await allocate_government_money(uow, pack_set, [completion])
    await uow.emit_all(completion_events(completion, government))


async def allocate_government_money(uow: BillingUnitOfWork, pack_set: PackSet,
                                    completions: Sequence[Completion]) -> dict[PersonYear, list[EventData]]:
    """Per completed person-year, the events of the government's money that comes with it: the subsidy (stored for
    each person-year without one, in one statement) and an on-behalf share withdrawn by an earlier refund, paid
    again."""
    subsidies = await allocate_subsidies(uow, pack_set, completions)
    repaid = await on_behalf.repay_withdrawn(
        uow, pack_set, [(c.account.psn_no, c.account.year) for c in completions],
        {(c.account.psn_no, c.account.year): c.paid_at for c in completions})
    return {key: [e for e in (repaid.get(key), subsidies.get(key)) if e is not None]
            for key in repaid.keys() | subsidies.keys()}


async def allocate_subsidies(uow: BillingUnitOfWork, pack_set: PackSet,
                             completions: Sequence[Completion]) -> dict[PersonYear, SubsidyAllocated]:
    """Store the subsidy of each completed person-year that has none yet (or only withdrawn ones), in one
    statement; returns the events of those stored."""
    if not completions:
        return {}
    events = {(c.account.psn_no, c.account.year): _subsidy(pack_set, c) for c in completions}
    stored = await uow.government.add_subsidies([
        {"subsidy_id": e.subsidy_id, "psn_no": e.psn_no, "year": e.year, "admdvs": e.admdvs,
         "amount_fen": e.amount.fen, "shares": json.dumps([s.model_dump(mode="json") for s in e.shares]),
         "allocated_at": e.allocated_at} for e in events.values()])
    return {key: events[key] for key in stored}


def completion_events(completion: Completion, government: dict[PersonYear, list[EventData]]) -> list[Timed]:
    """``paid_in_full`` and then the government's money allocated now, in that order."""
    account, at = completion.account, completion.paid_at
    paid = PremiumPaidInFull(psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype,
                             year=account.year, paid_at=at, tax_voucher_no=completion.tax_voucher_no,
                             premium_due=account.premium_due)
    return [(paid, at)] + [(event, at) for event in government.get((account.psn_no, account.year), ())]


def _subsidy(pack_set: PackSet, completion: Completion) -> SubsidyAllocated:
    account = completion.account
    allocation = subsidy_allocation(pack_set.get(account.pack_id))
    return SubsidyAllocated(
        subsidy_id=str(uuid.uuid4()), psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype,
        year=account.year, amount=allocation.amount, allocated_at=completion.paid_at,
        shares=[SubsidyShare(level=level, amount=amount) for level, amount in allocation.shares])
