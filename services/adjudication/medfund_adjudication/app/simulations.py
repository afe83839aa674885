"""Simulations (测算): accept one (its worker starts after the row is committed) and read its state."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from medfund_adjudication.adapters.fund_ledger_client import FundLedgerClient, LedgerUnavailable
from medfund_adjudication.adapters.simulation_repo import Period, SimulationRow
from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.money import Money
from medfund_shared.policy.schema import PolicyPack

SIMULATION = "SM"


@dataclass(frozen=True)
class StartSimulation:
    simulation_id: str
    period: Period
    pack: PolicyPack
    """Validated exactly as a shipped pack file (:func:`medfund_shared.policy.loader.pack_of_document`)."""
    request: str
    """The request's JSON text: the worker reads the pack from it with its exact decimals."""
    share_rise: Money


async def start_simulation(cmd: StartSimulation, uow: AdjudicationUnitOfWork) -> str:
    period, pack = cmd.period, cmd.pack
    if pack.admdvs != period.admdvs:
        raise Refused("invalid", f"the pack is region {pack.admdvs}'s, not {period.admdvs}'s", "pack.admdvs")
    if period.year is None and (period.begin is None or period.end is None or period.begin > period.end):
        raise Refused("invalid", "give year, or from and to with from on or before to", "year")
    async with uow:
        await uow.simulations.add(cmd.simulation_id, period, cmd.request, cmd.share_rise.fen)
        await uow.commit()
    return cmd.simulation_id


async def simulation_of(simulation_id: str, uow: AdjudicationUnitOfWork) -> SimulationRow:
    async with uow:
        row = await uow.simulations.get(simulation_id)
    if row is None:
        raise Refused("not_found", f"simulation_id {simulation_id} is not a known simulation", "simulation_id")
    return row


def last_day(period: Period) -> date:
    return period.end or date(period.year, 12, 31)


async def fund_picture(row: SimulationRow, ledger: FundLedgerClient) -> dict:
    """What the candidate does to each of the ledger's pools the replayed settlements paid from (the result's
    ``pools``, docs/simulations.md): the pool ``admdvs:fund_pay_type:year`` of each month's fund pay, asked of the
    ledger with the month-by-month difference. The ledger unreachable or refusing: ``available`` false and why."""
    as_of = last_day(row.period)
    by_pool: dict[str, dict[str, Money]] = defaultdict(dict)
    paid: dict[str, list[Money]] = defaultdict(lambda: [Money.zero(), Money.zero()])
    for line in row.result.get("fund_by_month", []):
        pool_id = f"{row.period.admdvs}:{line['fund_pay_type']}:{line['month'][:4]}"
        actual, candidate = Money.from_yuan(line["actual"]), Money.from_yuan(line["candidate"])
        by_pool[pool_id][line["month"]] = candidate - actual
        paid[pool_id][0] += actual
        paid[pool_id][1] += candidate
    items = []
    try:
        for pool_id, change in sorted(by_pool.items()):
            answer = await ledger.pool_what_if(pool_id, as_of, change)
            if answer is None:
                continue
            actual, candidate = paid[pool_id]
            _admdvs, fund_pay_type, year = pool_id.split(":")
            items.append({"pool_id": pool_id, "fund_pay_type": fund_pay_type, "year": int(year),
                          "income": answer["income"], "actual_fund_pay": actual.to_yuan(),
                          "candidate_fund_pay": candidate.to_yuan(), "difference": (candidate - actual).to_yuan(),
                          "year_end_balance": answer["year_end_balance"], "reserve_months": answer["reserve_months"],
                          "warnings": answer["warnings"]})
    except LedgerUnavailable as exc:
        return {"available": False, "reason": str(exc), "as_of": as_of.isoformat(), "items": []}
    return {"available": True, "reason": None, "as_of": as_of.isoformat(), "items": items}
