"""What the use cases share: the policy pack lookup."""

from __future__ import annotations

from datetime import date

from medfund_shared.policy.pack_set import NoPackInForce, PackSet
from medfund_shared.policy.schema import PolicyPack
from medfund_shared.refusal import no_policy_pack


def pack_for(pack_set: PackSet, admdvs: str, insutype: str, year: int) -> PolicyPack:
    """The pack in force on the first day of the insurance year; ``no_policy_pack`` without one."""
    try:
        return pack_set.in_force(admdvs, insutype, date(year, 1, 1))
    except NoPackInForce:
        raise no_policy_pack(f"no policy pack for region {admdvs}, scheme {insutype}, year {year}") from None

