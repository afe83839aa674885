"""The tax-bureau feed: one payment, refunds and reversals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from medfund_billing.api.answer_models import PaymentOut, RefundOut, ReversalOut, created_or_replayed
from medfund_billing.api.deps import (
    BillingSettingsDep,
    JsonBody,
    PackSetDep,
    TaxOnly,
    TaxOrStaff,
    UowDep,
    office_filter,
)
from medfund_billing.app.corrections import CorrectPayment, correct_payment
from medfund_billing.app.record_payment import record_payment
from medfund_billing.domain.payment_record import RecordRejected, parse_record
from medfund_shared.business_range import BusinessDateTime
from medfund_shared.errors import ApiError
from medfund_shared.text_fields import FreeText

router = APIRouter(prefix="/v1/collections", tags=["collections"])
CORRECTED_BEFORE = {409: {"description": "the payment already has another refund or reversal"}}


@router.post("", status_code=201,
             responses={**created_or_replayed(PaymentOut),
                        409: {"description": "this voucher was accepted with different content"}})
async def post_collection(principal: TaxOnly, body: JsonBody, uow: UowDep, pack_set: PackSetDep,
                          settings: BillingSettingsDep, response: Response) -> dict:
    """Accept one payment record (201 new, 200 exact replay, 409 same voucher other content).

    The token is checked before the body is read (FastAPI resolves the dependencies in this order)."""
    try:
        record = parse_record(body, year_as_text=False)
    except RecordRejected as exc:
        raise ApiError(422, exc.code, exc.message, exc.field) from None
    principal.ensure_tax_office(record.tax_office_code)
    answer, created = await record_payment(record, uow, pack_set, settings.office_zone)
    response.status_code = 201 if created else 200
    return answer


class RefundRequest(BaseModel):
    reason: Annotated[FreeText, Field(min_length=1)]
    refunded_at: BusinessDateTime


class ReversalRequest(BaseModel):
    reason: Annotated[FreeText, Field(min_length=1)]
    reversed_at: BusinessDateTime


@router.post("/{tax_voucher_no}/refund", status_code=201,
             responses={**created_or_replayed(RefundOut), **CORRECTED_BEFORE})
async def refund(tax_voucher_no: str, body: RefundRequest, principal: TaxOrStaff, uow: UowDep,
                 settings: BillingSettingsDep, response: Response) -> dict:
    """Pay a contribution back (e.g. the person moved to the employee scheme after paying)."""
    return await _correct(CorrectPayment("refund", tax_voucher_no, body.reason, body.refunded_at),
                          principal, uow, settings, response)


@router.post("/{tax_voucher_no}/reversal", status_code=201,
             responses={**created_or_replayed(ReversalOut), **CORRECTED_BEFORE})
async def reversal(tax_voucher_no: str, body: ReversalRequest, principal: TaxOrStaff, uow: UowDep,
                   settings: BillingSettingsDep, response: Response) -> dict:
    """Cancel a payment that was accepted in error."""
    return await _correct(CorrectPayment("reversal", tax_voucher_no, body.reason, body.reversed_at),
                          principal, uow, settings, response)


async def _correct(command: CorrectPayment, principal, uow, settings, response: Response) -> dict:
    answer, created = await correct_payment(command, uow, settings.office_zone,
                                            restrict_to_office=office_filter(principal))
    response.status_code = 201 if created else 200
    return answer


