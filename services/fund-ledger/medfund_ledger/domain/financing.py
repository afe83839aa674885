"""Transfers that become due by the pack's financing rules (docs/funding.md), from plain inputs.

- Catastrophic insurance is financed from the pooled fund: ``financing.catastrophic_per_person`` once per
  covered person-year, due when the cover is activated (seed 000 篇六: 25-29 yuan a person, about 5%); a refund
  that withdraws the cover gives it back, and the premium paid in full again finances it again
  (:class:`CatastrophicCover`).
- The risk-adjustment reserve takes ``financing.risk_reserve_share`` of every income of the pooled fund,
  due when the income is booked; a returned income (a refund) gives the share back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from medfund_ledger.domain import accounts
from medfund_ledger.domain.journal import Entry
from medfund_ledger.domain.pools import PoolKey
from medfund_shared.money import Money
from medfund_shared.policy.schema import PolicyPack


@dataclass(frozen=True, slots=True)
class DueTransfer:
    transfer_id: str
    reason: str
    from_pool_id: str
    to_pool_id: str
    amount: Money


def catastrophic_financing(pack: PolicyPack, admdvs: str, year: int, psn_no: str) -> DueTransfer | None:
    """The pooled fund's transfer to the catastrophic pool for one covered person-year (None when the pack
    finances none); its id is the person-year's, so a second activation of the same year adds nothing."""
    per_person = pack.financing.catastrophic_per_person
    if per_person is None or not per_person.fen or pack.funds.catastrophic is None:
        return None
    return DueTransfer(f"catastrophic:{admdvs}:{year}:{psn_no}", "catastrophic_financing",
                       PoolKey(admdvs, pack.funds.pooled.code, year).pool_id,
                       PoolKey(admdvs, pack.funds.catastrophic.code, year).pool_id, per_person)


def reserve_share(pack: PolicyPack, pooled_pool_id: str, income: Money, cause_id: str) -> DueTransfer | None:
    """The reserve's share of an income of the pooled fund, rounded half up to the fen (None when nothing moves).

    A negative income (a refund or reversal) moves the share back from the reserve to the pooled fund.
    """
    share = pack.financing.risk_reserve_share
    if not share or pack.funds.risk_reserve is None:
        return None
    amount = Money(abs(income.fen)).times(share)
    if not amount:
        return None
    key = PoolKey.parse(pooled_pool_id)
    reserve = PoolKey(key.admdvs, pack.funds.risk_reserve.code, key.year).pool_id
    ends = (pooled_pool_id, reserve) if income.fen > 0 else (reserve, pooled_pool_id)
    return DueTransfer(f"reserve:{cause_id}", "risk_reserve", *ends, amount)


def pooled_income(entry: Entry) -> dict[str, Money]:
    """Income an entry books per pool (credits of income accounts; a refund is negative), transfers aside:
    a transfer moves money already counted, so no share is taken of it again."""
    totals: dict[str, int] = {}
    for line in entry.lines:
        if line.account.startswith(accounts.INCOME_PREFIX):
            totals[line.pool_id] = totals.get(line.pool_id, 0) - line.amount
    return {pool_id: Money(total) for pool_id, total in sorted(totals.items()) if total}


ACTIVATED, WITHDRAWN, RESTORED = "activated", "withdrawn", "restored"
"""What happened to a person-year's cover, for its catastrophic premium: activated, withdrawn by a refund
(suspended, ``premium_withdrawn``), restored (reinstated)."""


@dataclass(frozen=True, slots=True)
class CatastrophicCover:
    """The catastrophic premium of one person-year: the transfer its first activation made due, whether the cover
    is financed now, and how many times a withdrawal gave the premium back.

    Ids, so that each move is booked exactly once however often the events come: the first financing keeps
    ``catastrophic:{admdvs}:{year}:{psn_no}``, the n-th return is ``…:returned:{n}``, the financing after it
    ``…:{n+1}``.
    """

    first: DueTransfer
    financed: bool = True
    returns: int = 0

    def financing(self) -> DueTransfer:
        suffix = f":{self.returns + 1}" if self.returns else ""
        return replace(self.first, transfer_id=self.first.transfer_id + suffix)

    def returning(self) -> DueTransfer:
        return DueTransfer(f"{self.first.transfer_id}:returned:{self.returns + 1}", "catastrophic_returned",
                           self.first.to_pool_id, self.first.from_pool_id, self.first.amount)


def catastrophic_step(cover: CatastrophicCover | None, change: str,
                      due: DueTransfer | None = None) -> tuple[CatastrophicCover | None, DueTransfer | None]:
    """The person-year's catastrophic premium after ``change`` and the transfer it makes due (None: nothing moves).

    ``due`` is what an activation makes due by the pack (None when the pack finances none). A second activation or
    a reinstatement of financed cover moves nothing (a termination and re-registration, an operator's suspension
    lifted); a withdrawal of unfinanced cover moves nothing either."""
    if change == ACTIVATED and cover is None:
        return (None, None) if due is None else (CatastrophicCover(due), due)
    if cover is None:
        return None, None
    if change in (ACTIVATED, RESTORED) and not cover.financed:
        return replace(cover, financed=True), cover.financing()
    if change == WITHDRAWN and cover.financed:
        return replace(cover, financed=False, returns=cover.returns + 1), cover.returning()
    return cover, None
