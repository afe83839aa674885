"""Simulations (测算): accept one (its worker starts after the row is committed) and read its state."""

from __future__ import annotations

from dataclasses import dataclass

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
