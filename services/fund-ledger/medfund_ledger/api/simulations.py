"""The console's What-if page (测算, issue 25): a simulation started and followed through the ledger.

The page sends the pack file's text as it was chosen (YAML or JSON); the ledger reads it with the packs' own exact
reader and forwards it to adjudication's ``POST /v1/simulations`` as the JSON object that API takes, with the
operator's token; adjudication validates it exactly like a shipped pack and its refusal (422 naming the field,
``pack.inpatient…``) comes back unchanged, as does every answer of ``GET /v1/simulations/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from medfund_ledger.adapters.simulations_client import ask_adjudication
from medfund_shared.auth import StaffPrincipal
from medfund_shared.context import ContextDep
from medfund_shared.errors import ApiError
from medfund_shared.policy.loader import PolicyPackError, json_numbers, pack_document_of_text
from medfund_shared.simulation_answers import Simulation, SimulationStarted

router = APIRouter(prefix="/v1/simulations", tags=["console"])
MAX_PACK_TEXT = 1_000_000
"""Characters of a pack file; a shipped pack has a few thousand."""


class SimulationFromFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    admdvs: str = Field(pattern=r"^\d{6}$", description="the region whose recorded period is replayed")
    year: int = Field(ge=1990, le=2100, description="the insurance year replayed")
    share_rise: str = Field(default="0.00", pattern=r"^\d{1,12}(\.\d{1,2})?$",
                            description="list the people whose annual share rises by more (yuan)")
    pack_text: str = Field(min_length=1, max_length=MAX_PACK_TEXT,
                           description="the candidate pack file's text, YAML or JSON, as the operator chose it")


@router.post("", status_code=202, responses={202: {"model": SimulationStarted}})
async def start_simulation(_: StaffPrincipal, body: SimulationFromFile, request: Request,
                           context: ContextDep) -> JSONResponse:
    """Adjudication's answer to the simulation (202 with ``simulation_id``, or its refusal naming the field)."""
    try:
        document = pack_document_of_text(body.pack_text, "pack_text")
    except PolicyPackError as exc:
        raise ApiError(422, "invalid", str(exc), "pack_text") from None
    request_body: dict[str, Any] = {"admdvs": body.admdvs, "year": body.year, "share_rise": body.share_rise,
                                    "pack": json_numbers(document)}
    status, answer = await ask_adjudication(context.settings, request.headers["authorization"], "POST",
                                            "/v1/simulations", request_body)
    return JSONResponse(answer, status_code=status)


@router.get("/{simulation_id}", responses={200: {"model": Simulation}})
async def get_simulation(_: StaffPrincipal, request: Request, context: ContextDep,
                         simulation_id: str = Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")) -> JSONResponse:
    """Adjudication's answer: status, progress ``{processed, total}``, error and, when done, the result."""
    status, answer = await ask_adjudication(context.settings, request.headers["authorization"], "GET",
                                            f"/v1/simulations/{simulation_id}")
    return JSONResponse(answer, status_code=status)
