"""Domain refusals as HTTP answers in the platform's error shape."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from medfund_enrollment.domain.errors import EnrollmentError
from medfund_shared.errors import error_response

STATUS = {"invalid": 422, "conflict": 409, "not_found": 404}


async def enrollment_error(_: Request, error: EnrollmentError) -> JSONResponse:
    return error_response(STATUS[error.kind], error.code, error.message, error.field)
