"""A refund or reversal that takes a person-year's premium, paid in full before, below the due (docs/funding.md):
the cover it bought is withdrawn from the correction's day (``premium.withdrawn``, which enrollment applies), and
the government's money that came with it goes back, each as its own event mirroring the one that brought it: the
per-capita subsidy and every share paid on the person's behalf. The catastrophic premium the ledger moved at the
cover's activation goes back when the ledger sees enrollment suspend the cover (``premium_withdrawn``). Paying in
full again allocates the subsidy and the on-behalf share anew (:mod:`medfund_billing.app.premium_completed`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app import on_behalf
from medfund_billing.domain.matching import PremiumAccount
from medfund_billing.domain.reconciliation import local_day
from medfund_shared.events.types.billing import PremiumWithdrawn, SubsidyShare, SubsidyWithdrawn
from medfund_shared.money import Money


@dataclass(frozen=True, slots=True)
class Withdrawal:
    correction_id: str
    kind: Literal["refund", "reversal"]
    tax_voucher_no: str
    at: datetime


async def premium_withdrawn(uow: BillingUnitOfWork, account: PremiumAccount, withdrawal: Withdrawal,
                            office_zone: tzinfo) -> None:
    """Queue the withdrawal's events in the unit of work (``account`` is the account after the correction)."""
    at, correction_id = withdrawal.at, withdrawal.correction_id
    subsidy = await uow.government.withdraw_subsidy(account.psn_no, account.year, correction_id, at)
    if subsidy is not None:
        await uow.emit(SubsidyWithdrawn(
            withdrawal_id=f"{correction_id}:subsidy", subsidy_id=subsidy.subsidy_id, correction_id=correction_id,
            psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype, year=account.year,
            amount=Money(subsidy.amount_fen), shares=[SubsidyShare(**share) for share in subsidy.shares],
            withdrawn_at=at), at)
    for event in await on_behalf.withdraw(uow, account.psn_no, account.year, account.admdvs, account.insutype,
                                          correction_id, at):
        await uow.emit(event, at)
    await uow.emit(PremiumWithdrawn(
        correction_id=correction_id, kind=withdrawal.kind, tax_voucher_no=withdrawal.tax_voucher_no,
        psn_no=account.psn_no, admdvs=account.admdvs, insutype=account.insutype, year=account.year,
        premium_due=account.premium_due, paid_total=account.paid, withdrawn_at=at,
        since=local_day(at, office_zone)), at)
