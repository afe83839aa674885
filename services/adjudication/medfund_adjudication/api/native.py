"""Native JSON endpoints for the gateway's operations; the same use cases, yuan strings for money."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field, StrictBool

from medfund_adjudication.adapters.uow import RequestKey, UnitOfWork
from medfund_adjudication.api.answer_models import FeesSplit, PersonCoverageOut, Settlement
from medfund_adjudication.api.http_errors import lost_races_as_conflicts
from medfund_adjudication.api.nhsa import answers
from medfund_adjudication.app import commands
from medfund_adjudication.app.admission import admit, discharge
from medfund_adjudication.app.fees import cancel_fees, upload_fees
from medfund_adjudication.app.person_info import person_info
from medfund_adjudication.app.reverse import reverse_settlement
from medfund_adjudication.app.settle import settle_visit
from medfund_adjudication.domain.admission import INPATIENT_MED_TYPES, OUTPATIENT_MED_TYPES
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_shared.auth import Principal, require_roles
from medfund_shared.business_range import BusinessDate, BusinessDateTime
from medfund_shared.context import ContextDep
from medfund_shared.errors import ApiError
from medfund_shared.money import Money, YuanAmount
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME

router = APIRouter(prefix="/v1", tags=["settlement (native)"])
Caller = Annotated[Principal, Depends(require_roles("his", "admin"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]


def public(value: Any) -> Any:
    """Money as yuan strings, ratios as strings: JSON without floats."""
    if isinstance(value, dict):
        return {k: public(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [public(v) for v in value]
    if isinstance(value, Money):
        return value.to_yuan()
    if isinstance(value, Decimal):
        return str(value)
    return jsonable_encoder(value)


def _acting_for(principal: Principal) -> str | None:
    return principal.fixmedins_code if principal.role == "his" else None


def _request(principal: Principal, key: str | None, body: BaseModel, path: str, output) -> RequestKey | None:
    if key is None:
        return None
    return RequestKey.of(f"v1:{principal.role}:{principal.fixmedins_code or ''}", key,
                         [path, body.model_dump(mode="json")], lambda result: public_text(output(result)),
                         "Idempotency-Key")


def public_text(tree: Any) -> str:
    return json.dumps(public(tree), ensure_ascii=False, separators=(",", ":"))


async def _answer(use_case, cmd, context, output) -> Any:
    with lost_races_as_conflicts():
        answer = await use_case(cmd, UnitOfWork(context))
    return json.loads(answer.text) if answer.text is not None else public(output(answer.result))


class AdmissionCreate(BaseModel):
    fixmedins_code: str
    psn_no: str
    insutype: Literal[EMPLOYEE_SCHEME, RESIDENT_SCHEME]
    med_type: Literal["11", "14", "21", "52"]
    begntime: BusinessDateTime
    refl_flag: StrictBool = False
    ipt_otp_no: str | None = None
    disease_codes: list[str] = Field(default_factory=list)


class Admitted(BaseModel):
    mdtrt_id: str
    psn_no: str
    ipt_otp_no: str | None


@router.post("/admissions", status_code=201, responses={201: {"model": Admitted}})
async def create_admission(body: AdmissionCreate, principal: Caller, context: ContextDep,
                           idempotency_key: IdempotencyKey = None) -> dict:
    """Admit (inpatient 21/52) or register an outpatient visit (11/14) for a covered person."""
    principal.ensure_fixmedins(body.fixmedins_code)
    output = lambda r: {"mdtrt_id": r.mdtrt_id, "psn_no": r.psn_no, "ipt_otp_no": r.ipt_otp_no}  # noqa: E731
    cmd = commands.Admit(body.fixmedins_code, body.psn_no, body.insutype, body.med_type, body.begntime,
                         body.refl_flag, body.ipt_otp_no, tuple(body.disease_codes),
                         INPATIENT_MED_TYPES + OUTPATIENT_MED_TYPES,
                         _request(principal, idempotency_key, body, "admissions", output))
    return await _answer(admit, cmd, context, output)


class FeeDetail(BaseModel):
    feedetl_sn: str = Field(min_length=1, max_length=64)
    med_list_codg: str = Field(min_length=1, max_length=64)
    medins_list_codg: str | None = None
    fee_ocur_time: BusinessDateTime | None = None
    cnt: Decimal = Field(gt=0)
    pric: Decimal = Field(ge=0)
    det_item_fee_sumamt: YuanAmount


class FeeUpload(BaseModel):
    psn_no: str
    items: list[FeeDetail] = Field(min_length=1)


@router.post("/admissions/{mdtrt_id}/fees", responses={200: {"model": FeesSplit}})
async def upload_admission_fees(mdtrt_id: str, body: FeeUpload, principal: Caller, context: ContextDep,
                                idempotency_key: IdempotencyKey = None) -> dict:
    """Upload fee details; each comes back split into self-pay, over-ceiling, pre-self-pay and policy scope."""
    if any(i.det_item_fee_sumamt.fen < 0 for i in body.items):
        raise ApiError(422, "invalid", "det_item_fee_sumamt must not be negative", "items.det_item_fee_sumamt")
    lines = tuple(FeeLine(i.feedetl_sn, mdtrt_id, body.psn_no, i.med_list_codg, i.medins_list_codg, i.fee_ocur_time,
                          i.cnt, i.pric, i.det_item_fee_sumamt) for i in body.items)
    output = lambda r: {"result": [answers.fee_item(i) for i in r]}  # noqa: E731
    cmd = commands.UploadFees(_acting_for(principal), lines,
                              _request(principal, idempotency_key, body, f"fees:{mdtrt_id}", output))
    return await _answer(upload_fees, cmd, context, output)


class FeeCancellation(BaseModel):
    psn_no: str
    feedetl_sn: str | None = Field(default=None, description="omit to cancel every unsettled detail")


class FeesCancelled(BaseModel):
    cancelled: int = Field(description="how many unsettled fee details were cancelled")


@router.post("/admissions/{mdtrt_id}/fees/cancellation", responses={200: {"model": FeesCancelled}})
async def cancel_admission_fees(mdtrt_id: str, body: FeeCancellation, principal: Caller, context: ContextDep) -> dict:
    """Cancel one unsettled fee detail or all of them."""
    cmd = commands.CancelFees(_acting_for(principal),
                              (commands.FeeCancellation(mdtrt_id, body.psn_no, body.feedetl_sn),))
    return await _answer(cancel_fees, cmd, context, lambda n: {"cancelled": n})


class DischargeCreate(BaseModel):
    psn_no: str
    endtime: BusinessDateTime
    dscg_way: str | None = None


class Discharged(BaseModel):
    mdtrt_id: str


@router.post("/admissions/{mdtrt_id}/discharge", responses={200: {"model": Discharged}})
async def discharge_admission(mdtrt_id: str, body: DischargeCreate, principal: Caller, context: ContextDep) -> dict:
    """Record the discharge time."""
    cmd = commands.Discharge(_acting_for(principal), mdtrt_id, body.psn_no, body.endtime, body.dscg_way)
    return await _answer(discharge, cmd, context, lambda a: {"mdtrt_id": a.mdtrt_id})


class SettlementCreate(BaseModel):
    mdtrt_id: str
    psn_no: str
    insutype: Literal[EMPLOYEE_SCHEME, RESIDENT_SCHEME] | None = None
    medfee_sumamt: YuanAmount
    acct_used_flag: StrictBool = False
    medins_setl_id: str | None = None
    setl_time: BusinessDateTime
    mid_stay: StrictBool = False
    """Settle an inpatient stay before its discharge (the fees uploaded so far)."""


def _settle(body: SettlementCreate, principal: Caller, record: bool, key: str | None) -> commands.Settle:
    return commands.Settle(_acting_for(principal), body.mdtrt_id, body.psn_no, body.insutype, body.medfee_sumamt,
                           body.acct_used_flag, body.medins_setl_id, body.setl_time, record,
                           _request(principal, key, body, "settlements", answers.settlement) if record else None,
                           body.mid_stay)


@router.post("/settlements", status_code=201, responses={201: {"model": Settlement}})
async def create_settlement(body: SettlementCreate, principal: Caller, context: ContextDep,
                            idempotency_key: IdempotencyKey = None) -> dict:
    """Settle the admission's unsettled fee details (setlinfo + setldetail)."""
    return await _answer(settle_visit, _settle(body, principal, True, idempotency_key), context, answers.settlement)


@router.post("/settlements/preview", responses={200: {"model": Settlement}})
async def preview_settlement(body: SettlementCreate, principal: Caller, context: ContextDep) -> dict:
    """What settling now would answer; nothing is recorded."""
    return await _answer(settle_visit, _settle(body, principal, False, None), context, answers.settlement)


class ReversalCreate(BaseModel):
    mdtrt_id: str
    psn_no: str
    reversed_at: BusinessDateTime


@router.post("/settlements/{setl_id}/reversal", status_code=201, responses={201: {"model": Settlement}})
async def reverse(setl_id: str, body: ReversalCreate, principal: Caller, context: ContextDep,
                  idempotency_key: IdempotencyKey = None) -> dict:
    """Reverse a settlement: every amount negated, the accumulators restored."""
    cmd = commands.Reverse(_acting_for(principal), body.mdtrt_id, setl_id, body.psn_no, body.reversed_at,
                           _request(principal, idempotency_key, body, f"reversal:{setl_id}", answers.settlement))
    return await _answer(reverse_settlement, cmd, context, answers.settlement)


@router.get("/persons/{psn_no}/coverage", responses={200: {"model": PersonCoverageOut}})
async def coverage(psn_no: str, on: Annotated[BusinessDate, Query()], _: Annotated[Principal, Depends(
        require_roles("his", "admin", "operator"))], context: ContextDep) -> dict:
    """The person and their cover on a day (as 1101)."""
    with lost_races_as_conflicts():
        info = await person_info(commands.PersonInfo(on, psn_no=psn_no), UnitOfWork(context))
    return public(answers.person(info))
