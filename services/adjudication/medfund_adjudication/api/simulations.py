"""``POST /v1/simulations`` (a year replayed under a candidate pack, run by a worker process) and
``GET /v1/simulations/{simulation_id}`` (status, progress, and the result once done)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medfund_adjudication.adapters import simulation_runner
from medfund_adjudication.adapters.fund_ledger_client import LEDGER, FundLedgerClient
from medfund_adjudication.adapters.simulation_repo import Period
from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.app.identifiers import new_id
from medfund_adjudication.app.simulations import (
    SIMULATION,
    StartSimulation,
    fund_picture,
    simulation_of,
    start_simulation,
)
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.auth import Principal, require_roles
from medfund_shared.business_range import BusinessDate
from medfund_shared.context import ContextDep
from medfund_shared.money import Money, YuanAmount
from medfund_shared.policy.loader import PolicyPackError, pack_of_document
from medfund_shared.simulation_answers import Simulation, SimulationStarted

router = APIRouter(prefix="/v1", tags=["simulations"])
Staff = Annotated[Principal, Depends(require_roles("admin", "operator"))]


class SimulationCreate(BaseModel):
    """The candidate ``pack`` is a JSON object with a shipped YAML pack's fields (ratios as JSON numbers)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    admdvs: str = Field(pattern=r"^\d{6}$")
    year: int | None = Field(default=None, ge=2000, le=2100)
    begin: BusinessDate | None = Field(default=None, alias="from")
    end: BusinessDate | None = Field(default=None, alias="to")
    share_rise: YuanAmount = Field(default=Money(0), description="list the people whose annual share rises more")
    pack: dict[str, Any]


def _document(text: bytes) -> dict:
    try:
        document = json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise Refused("invalid", "the body is not JSON") from None
    if not isinstance(document, dict):
        raise Refused("invalid", "the body is a JSON object")
    return document


@router.post("/simulations", status_code=202, responses={202: {"model": SimulationStarted}},
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": SimulationCreate.model_json_schema(by_alias=True)}}, "required": True}})
async def create_simulation(request: Request, _: Staff, context: ContextDep) -> dict:
    """202 with the ``simulation_id``; a worker process replays the period at low priority."""
    text = await request.body()
    document = _document(text)
    try:
        body = SimulationCreate.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Refused("invalid", first["msg"], ".".join(str(p) for p in first["loc"]) or None) from None
    if (body.year is None) == (body.begin is None and body.end is None):
        raise Refused("invalid", "give either year or from and to", "year")
    try:
        pack = pack_of_document(document["pack"], "pack")
    except PolicyPackError as exc:
        raise Refused("invalid", exc.problem, f"pack.{exc.field}" if exc.field else "pack") from None
    period = Period(body.admdvs, pack.insutype, body.year, body.begin, body.end)
    simulation_id = await start_simulation(
        StartSimulation(new_id(SIMULATION), period, pack, text.decode(), body.share_rise), UnitOfWork(context))
    await simulation_runner.start(context.settings.database_url, simulation_id)
    return {"simulation_id": simulation_id, "status": "queued"}


@router.get("/simulations/{simulation_id}", responses={200: {"model": Simulation}})
async def simulation(simulation_id: str, request: Request, _: Staff, context: ContextDep) -> dict:
    """Status and progress; once done the ``result``, with the fund ledger's pools read at this request with the
    caller's own token (``result.pools``)."""
    row = await simulation_of(simulation_id, UnitOfWork(context))
    result = row.result
    if row.status == "done" and result is not None:
        settings = context.settings
        ledger = FundLedgerClient(settings.service_urls.get(LEDGER), request.headers["authorization"],
                                  settings.peer_timeout_seconds)
        result = {**result, "pools": await fund_picture(row, ledger)}
    p = row.period
    return {"simulation_id": row.simulation_id, "status": row.status, "admdvs": p.admdvs, "insutype": p.insutype,
            "year": p.year, "from": p.begin, "to": p.end,
            "progress": {"processed": row.processed, "total": row.total}, "result": result, "error": row.error}
