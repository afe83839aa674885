"""The policy packs the ledger reads its financing rules from (the shipped packs, loaded once)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from medfund_shared.policy.pack_set import NoPackInForce, PackSet
from medfund_shared.policy.schema import PolicyPack


@lru_cache(maxsize=1)
def pack_set() -> PackSet:
    return PackSet.load()


def by_id(pack_id: str) -> PolicyPack | None:
    try:
        return pack_set().get(pack_id)
    except NoPackInForce:
        return None


@lru_cache(maxsize=4096)
def of_pooled_fund(admdvs: str, fund_pay_type: str, year: int) -> PolicyPack | None:
    """The pack whose pooled fund is this pool's, in force by the end of ``year``; None for any other pool."""
    candidates = [p for p in pack_set() if p.admdvs == admdvs and p.funds.pooled.code == fund_pay_type
                  and p.effective_from <= date(year, 12, 31)]
    return max(candidates, key=lambda p: p.effective_from) if candidates else None
