"""A refund that leaves a person-year's premium unpaid: billing's withdrawals of the subsidy and the sponsorship
(资助参保) and enrollment's suspension (``premium_withdrawn``) are each booked as the mirror of what they undo,
the catastrophic premium goes back by itself, and paying again (reinstatement) finances it again, once.

Hand figures (500240, 2026, pack 500240-390-2026-01-01: catastrophic 30.00 a covered person): the person owes
56.00, medical assistance pays 84.00 for them, the subsidy is 420.00 (central 336.00, provincial 42.00, county
42.00).
- Paid and covered: 390100 income 56.00 + 84.00 + 420.00 = 560.00, expenditure 30.00; 390200 income 30.00;
  610100 expenditure 84.00.
- Refunded: every figure of the three pools back to 0.00.
- Paid again: the first figures again.
"""

from __future__ import annotations

import json
from datetime import date

import ledger_events as ev
import pytest
from test_funding_flows import figures, ledger_topic, pool_reaches

from medfund_ledger.adapters.rebuild import rebuild
from medfund_shared.events.types.billing import (
    ContributionOnBehalfWithdrawn,
    ContributionRefunded,
    SubsidyWithdrawn,
)
from medfund_shared.events.types.enrollment import CoverageReinstated, CoverageSuspended

pytestmark = pytest.mark.integration
POOLED, CATASTROPHIC, ASSISTANCE = "500240:390100:2026", "500240:390200:2026", "500240:610100:2026"
SHARES = {"central": "336.00", "provincial": "42.00", "county": "42.00"}
PSN = "PR1"


async def _pay(ledger, when) -> None:
    paid = ev.contribution("500240", 2026, "56.00", when)
    await ledger.publish(paid.model_copy(update={"psn_no": PSN}), when)
    sponsored = ev.on_behalf("500240", 2026, "84.00", when, payer="medical_assistance")
    await ledger.publish(sponsored.model_copy(update={"psn_no": PSN}), when)
    await ledger.publish(ev.subsidy("500240", 2026, SHARES, when).model_copy(update={"psn_no": PSN}), when)


async def _refund(ledger, when) -> None:
    common = {"psn_no": PSN, "admdvs": "500240", "insutype": "390", "year": 2026}
    await ledger.publish(ContributionRefunded(refund_id="RF1", payment_id="PAY-R", tax_voucher_no="TV-R",
                                              certno="500240199001011234", amount="56.00", reason="refund",
                                              refunded_at=when, **common), when)
    shares = [{"level": level, "amount": amount} for level, amount in SHARES.items()]
    await ledger.publish(SubsidyWithdrawn(withdrawal_id="RF1:subsidy", subsidy_id="SUB-R", correction_id="RF1",
                                          amount="420.00", shares=shares, withdrawn_at=when, **common), when)
    await ledger.publish(ContributionOnBehalfWithdrawn(withdrawal_id="RF1:OB-R", payment_id="OB-R", correction_id="RF1",
                                                       category="disabled_moderate", amount="84.00",
                                                       payer="medical_assistance", withdrawn_at=when, **common), when)


async def test_a_refund_undoes_each_funding_flow_and_paying_again_redoes_each_once(ledger, service_database):
    await ledger.publish(ev.coverage("500240", 2026, PSN), ev.at(2025, 12, 1))
    await _pay(ledger, ev.at(2025, 11, 20))
    await pool_reaches(ledger, CATASTROPHIC, "income", "30.00")
    await ledger.wait_applied()
    assert figures((await ledger.client.get(f"/v1/pools/{POOLED}")).json()) == ("560.00", "30.00", "530.00", "0.00")
    assert figures((await ledger.client.get(f"/v1/pools/{ASSISTANCE}")).json()) == ("0.00", "84.00", "-84.00", "0.00")

    await _refund(ledger, ev.at(2026, 3, 1))
    withdrawn = CoverageSuspended(psn_no=PSN, insutype="390", year=2026, since=date(2026, 3, 1),
                                  reason="premium_withdrawn", actor="billing")
    suspended = await ledger.publish(withdrawn, ev.at(2026, 3, 1, 0))
    await pool_reaches(ledger, CATASTROPHIC, "income", "0.00")
    await ledger.resend(suspended)
    await ledger.publish(CoverageSuspended(psn_no=PSN, insutype="390", year=2026, since=date(2026, 3, 2),
                                           reason="premium_withdrawn", actor="billing"), ev.at(2026, 3, 2, 0))
    await ledger.wait_applied()
    for pool in (POOLED, CATASTROPHIC, ASSISTANCE):
        assert figures((await ledger.client.get(f"/v1/pools/{pool}")).json()) == ("0.00", "0.00", "0.00", "0.00"), pool

    await _pay(ledger, ev.at(2026, 4, 2))
    await ledger.publish(CoverageReinstated(psn_no=PSN, insutype="390", year=2026, since=date(2026, 4, 2),
                                            actor="billing"), ev.at(2026, 4, 2, 0))
    await pool_reaches(ledger, CATASTROPHIC, "income", "30.00")
    await ledger.wait_applied()
    assert figures((await ledger.client.get(f"/v1/pools/{POOLED}")).json()) == ("560.00", "30.00", "530.00", "0.00")
    assert figures((await ledger.client.get(f"/v1/pools/{CATASTROPHIC}")).json()) == ("30.00", "0.00", "30.00", "0.00")
    assert figures((await ledger.client.get(f"/v1/pools/{ASSISTANCE}")).json()) == ("0.00", "84.00", "-84.00", "0.00")

    records = [json.loads(r.value) for r in await ledger_topic(ledger, 3)]
    assert sorted((t["transfer_id"], t["reason"], t["from_pool_id"], t["to_pool_id"], t["amount"])
                  for t in records) == [
        (f"catastrophic:500240:2026:{PSN}", "catastrophic_financing", POOLED, CATASTROPHIC, "30.00"),
        (f"catastrophic:500240:2026:{PSN}:2", "catastrophic_financing", POOLED, CATASTROPHIC, "30.00"),
        (f"catastrophic:500240:2026:{PSN}:returned:1", "catastrophic_returned", CATASTROPHIC, POOLED, "30.00")]

    result = await rebuild(ledger.settings, service_database("medfund_ledger"))
    assert result.equal, result.summary()
