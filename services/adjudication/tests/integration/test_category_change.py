"""A mid-year category change (enrollment's ``person.category_changed``) reaches settlement from its date."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import pytest
from adjudication_gateway import activated, amounts, category_changed, publish

from medfund_deploy.evidence import wait_until
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

pytestmark = pytest.mark.integration

CHANGED_ON = date(2026, 4, 1)
ADULT, DIBAO = "1501", "1504"
"""The platform's person-type codes of ``adult`` and ``dibao`` in the 500240 pack's ``person_types``."""


def _expected_assistance(output: dict, category: str) -> Money:
    """Step 4 of benefit-calculation.md with the pack's ratio and cap (no assistance paid before this visit)."""
    rules = PackSet.load().in_force("500240", "390", CHANGED_ON).assistance
    info = {name: Money.from_yuan(value) for name, value in
            amounts(output, "inscp_scp_amt", "hifp_pay", "hifmi_pay").items()}
    remaining = max(Money(0), info["inscp_scp_amt"] - info["hifp_pay"] - info["hifmi_pay"])
    return min(remaining.times(rules.ratios[category]), rules.annual_cap)


async def test_a_person_who_becomes_dibao_gets_assistance_for_admissions_from_the_change_date(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("500240", category="adult")
    fees = [("TA", "3000.00", "1")]
    adult = await gateway.settle_when_covered("H500240P", psn, "390", fees, begntime="2026-03-01 09:00:00")
    assert amounts(adult, "maf_pay", "psn_type") == {"maf_pay": "0.00", "psn_type": ADULT}

    await publish(gateway.settings, category_changed(psn, "dibao"),
                  effective_time=datetime.combine(CHANGED_ON, datetime.min.time(), CHINA_TIME))

    async def changed() -> bool:
        return await gateway.psn_type(psn, CHANGED_ON.isoformat()) == DIBAO
    await wait_until(changed, "the category change to reach the read model")
    assert await gateway.psn_type(psn, "2026-03-31") == ADULT

    before = await gateway.admit_and_settle("H500240P", psn, "390", fees, begntime="2026-03-31 09:00:00")
    assert amounts(before, "maf_pay", "psn_type") == {"maf_pay": "0.00", "psn_type": ADULT}
    dibao = await gateway.admit_and_settle("H500240P", psn, "390", fees, begntime="2026-04-01 09:00:00")
    assert dibao["setlinfo"]["psn_type"] == DIBAO
    maf_pay = Money.from_yuan(amounts(dibao, "maf_pay")["maf_pay"])
    assert maf_pay == _expected_assistance(dibao, "dibao") > Money(0)


async def test_a_change_before_the_activation_is_not_dead_lettered_and_the_activation_carries_it(gateway):
    """Both are keyed by psn_no, so they arrive in enrollment's order: the change first finds no cover."""
    await gateway.setup_registry()
    psn = f"P{secrets.token_hex(6)}"
    change_id = await publish(gateway.settings, category_changed(psn, "dibao"))
    await publish(gateway.settings, activated(psn, "500240", "390", category="dibao"))
    out = await gateway.settle_when_covered("H500240P", psn, "390", [("TA", "3000.00", "1")])
    assert Money.from_yuan(amounts(out, "maf_pay")["maf_pay"]) == _expected_assistance(out, "dibao")
    parked = await gateway.client.get("/v1/dead-letters", params={"consumer": "adjudication-coverage"},
                                      headers=gateway.admin)
    assert change_id not in {d["event_id"] for d in parked.json()}
