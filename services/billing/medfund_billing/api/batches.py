"""Whole files from the tax bureau: staged in PostgreSQL as they stream in, processed in the background by the
instance that owns the batch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from medfund_billing.adapters.file_records import CSV, FORMATS, NDJSON, FileFormatError
from medfund_billing.api.answer_models import BatchReport
from medfund_billing.api.deps import BatchWorkerDep, TaxOnly, TaxOrStaff, UowDep, UploadSlotsDep, office_filter
from medfund_billing.app.batches import REJECTED_PAGE, UploadBatch, batch_report, upload_batch
from medfund_billing.domain.payment_record import EMPLOYEE_FIELDS, FIELDS
from medfund_shared.errors import ApiError
from medfund_shared.openapi import file_body

router = APIRouter(prefix="/v1/collections/batches", tags=["collections"])
MAX_REJECTED_PAGE = 10_000
_RECORD = f"fields {', '.join(FIELDS)} (and {', '.join(EMPLOYEE_FIELDS)} for a flexible worker's month)"
UPLOAD_BODY = file_body({
    CSV: f"UTF-8 CSV, a header row naming each field once in any order, then one payment per line: {_RECORD}",
    NDJSON: f"one JSON object per line, one payment each: {_RECORD}",
})


class BatchAccepted(BaseModel):
    batch_id: str
    status: str = Field(description="`processing`: poll `GET /v1/collections/batches/{batch_id}`")


@router.post("", status_code=202, openapi_extra=UPLOAD_BODY,
             responses={202: {"model": BatchAccepted},
                        413: {"description": "the file exceeds MEDFUND_BILLING_UPLOAD_MAX_BYTES"},
                        415: {"description": "Content-Type is neither text/csv nor application/x-ndjson"}})
async def post_batch(request: Request, principal: TaxOnly, uow: UowDep, worker: BatchWorkerDep,
                     slots: UploadSlotsDep,
                     idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
                     ) -> dict:
    """Upload a CSV (header row of field names) or NDJSON file; 202 with the batch id. A file over
    ``MEDFUND_BILLING_UPLOAD_MAX_BYTES`` is refused (413) while it streams in, nothing kept; past
    ``MEDFUND_BILLING_CONCURRENT_UPLOADS`` files at once, 429 with ``Retry-After``."""
    file_format = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if file_format not in FORMATS:
        raise ApiError(415, "unsupported_media_type", f"send one of {', '.join(FORMATS)}", "Content-Type")
    try:
        with slots.hold():
            batch_id, _ = await upload_batch(
                UploadBatch(principal.tax_office_code, file_format, request.stream(), idempotency_key), uow)
    except FileFormatError as exc:
        raise ApiError(422, "invalid_file", str(exc), exc.field) from None
    worker.wake()
    return {"batch_id": batch_id, "status": "processing"}


@router.get("/{batch_id}", responses={200: {"model": BatchReport}})
async def get_batch(batch_id: str, principal: TaxOrStaff, uow: UowDep,
                    rejected_offset: Annotated[int, Query(ge=0)] = 0,
                    rejected_limit: Annotated[int, Query(ge=1, le=MAX_REJECTED_PAGE)] = REJECTED_PAGE) -> dict:
    """Progress and report of a batch: received, accepted, duplicates, a page of rejected lines and their total."""
    return await batch_report(uow, batch_id, office_filter(principal), rejected_offset, rejected_limit)
