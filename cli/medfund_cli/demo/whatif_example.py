"""``make run``'s worked example (issue 25): the demo year replayed under the pack in force with the tier-1,
in-county, primary-hospital inpatient ratio raised by five points: what it costs each fund, and how many months
of reserve the pooled fund would keep."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from medfund_cli.demo.services import POLL_SECONDS, ServiceError, Services
from medfund_shared.policy.loader import json_numbers, load_pack_document
from medfund_shared.policy.pack_set import shipped_packs_dir
from medfund_shared.policy.schema import PolicyPack

RAISE = Decimal("0.05")
"""The example's policy change: five percentage points on one ratio (a what-if the operators would ask)."""
RATIO_PATH = ("inpatient", "schedule_by_tier", "tier1", "in_county", "primary", "ratio")
POOLED = "390100"
WAIT_SECONDS = 900.0
"""How long the example waits for the worker (the demo year is a few thousand settlements: seconds)."""


def candidate(pack: PolicyPack) -> tuple[dict, Decimal, Decimal]:
    """The pack in force as a client sends it, with the ratio raised; and the ratio before and after."""
    document = load_pack_document(shipped_packs_dir() / f"{pack.pack_id}.yaml")
    *parents, leaf = RATIO_PATH
    node = document
    for key in parents:
        node = node[key]
    before = Decimal(str(node[leaf]))
    node[leaf] = before + RAISE
    return json_numbers(document), before, before + RAISE


async def worked_example(api: Services, pack: PolicyPack, year: int) -> dict:
    """Run the simulation through the public API and keep what the summary prints."""
    document, before, after = candidate(pack)
    simulation_id = await api.start_simulation({"admdvs": pack.admdvs, "year": year, "pack": document})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while (state := await api.simulation(simulation_id))["status"] not in ("done", "failed"):
        if loop.time() > deadline:
            raise ServiceError(f"simulation {simulation_id} not done after {WAIT_SECONDS:.0f} s: {state['progress']}")
        await asyncio.sleep(POLL_SECONDS)
    if state["status"] == "failed":
        raise ServiceError(f"simulation {simulation_id} failed: {state['error']}")
    result = state["result"]
    pools = result.get("pools") or {}
    pooled = next((item for item in pools.get("items", []) if item["fund_pay_type"] == POOLED), None)
    return {"simulation_id": simulation_id, "change": ".".join(RATIO_PATH), "from": str(before), "to": str(after),
            "settlements": result["settlements"],
            "funds": {row["key"]: {k: row[k] for k in ("actual", "candidate", "difference")}
                      for row in result["fund"]},
            "pooled": pooled, "pools_unavailable": None if pools.get("available", False) else pools.get("reason")}
