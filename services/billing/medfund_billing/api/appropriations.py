"""Appropriations to medical assistance (civil affairs, finance) and the risk reserve."""

from __future__ import annotations

from fastapi import APIRouter, Response

from medfund_billing.api.answer_models import AppropriationOut, created_or_replayed
from medfund_billing.api.deps import JsonBody, PackSetDep, UowDep
from medfund_billing.app.appropriations import record_appropriation
from medfund_billing.domain.appropriation import parse_appropriation
from medfund_billing.domain.payment_record import RecordRejected
from medfund_shared.auth import StaffPrincipal
from medfund_shared.errors import ApiError

router = APIRouter(prefix="/v1/appropriations", tags=["appropriations"])


@router.post("", status_code=201,
             responses={**created_or_replayed(AppropriationOut),
                        409: {"description": "this appropriation_id was recorded with different content"}})
async def post_appropriation(body: JsonBody, _: StaffPrincipal, uow: UowDep, pack_set: PackSetDep,
                             response: Response) -> dict:
    """Record money received for a fund (201 new, 200 exact replay, 409 same id other content); the ledger
    books it as income of the pool ``{admdvs}:{fund_pay_type}:{year}``."""
    try:
        item = parse_appropriation(body)
    except RecordRejected as exc:
        raise ApiError(422, exc.code, exc.message, exc.field) from None
    answer, created = await record_appropriation(item, uow, pack_set)
    response.status_code = 201 if created else 200
    return answer
