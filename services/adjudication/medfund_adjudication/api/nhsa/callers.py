"""Who is calling the gateway: a request signed with the x-tif headers, or a bearer token; and its sign-in."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from fastapi.security import APIKeyHeader

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.nhsa.fields import Fields
from medfund_adjudication.app.gateway_access import AdmitCall, admit_call
from medfund_adjudication.domain.his_signature import SignedHeaders
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.auth import Principal, authenticate, client_source
from medfund_shared.context import ServiceContext
from medfund_shared.errors import ApiError
from medfund_shared.rate_limit import RequestLimits

GATEWAY_ROLES = ("his", "admin")
WITHOUT_SIGN_IN = ("9001", "9002")
"""Transactions a signed caller may send without a ``sign_no``: signing in and out."""

SIGNATURE_SCHEME = APIKeyHeader(
    name="x-tif-signature", scheme_name="nhsaSignature", auto_error=False,
    description="The national platform's signature, as hospitals' HIS clients send it: headers `x-tif-paasid` "
                "(the institution's paasid), `x-tif-timestamp` (Unix seconds, within 300 s of the platform's "
                "clock), `x-tif-nonce` (new for each request) and `x-tif-signature` = lowercase hex "
                "SHA-256(timestamp + passtoken + nonce + timestamp). An `apikey` header is ignored. The request acts "
                "for the institution the paasid belongs to; every transaction but 9001/9002 carries the `sign_no` "
                "of a 9001 sign-in. Refusals are answered in the envelope (HTTP 200, infcode -1). The other way in "
                "is a bearer token (`his`, bound to one fixmedins_code, or `admin`): its `sign_no` is optional but "
                "checked when sent, and a missing or invalid token is answered in the envelope too.")


async def identify(request: Request, context: ServiceContext, envelope: Fields) -> Principal:
    """The caller, or a refusal (``unauthorized``) to answer in the envelope; :class:`Throttled` over a limit
    (a signing paasid counts like a bearer token, and its failures like a client address's)."""
    headers = request.headers
    signed = SignedHeaders.of(headers) if "x-tif-paasid" in headers or "x-tif-signature" in headers else None
    bearer = None
    if signed is None:
        try:
            bearer = authenticate(request, GATEWAY_ROLES)
        except ApiError as refused:
            raise Refused("unauthorized", f"{refused.message}: sign the request with the x-tif headers or send a "
                                          "bearer token") from None
    infno = envelope.raw("infno")
    limits: RequestLimits = request.app.state.limits
    sources = (client_source(request), f"paasid:{signed.paasid}") if signed is not None else ()
    limits.check_failures(*sources)
    try:
        acting_for = await admit_call(AdmitCall(
            signed, bearer.fixmedins_code if bearer is not None and bearer.role == "his" else None,
            envelope.text("fixmedins_code"), envelope.text("sign_no", required=False),
            infno not in WITHOUT_SIGN_IN, datetime.now(UTC), context.settings.signature_window_seconds),
            UnitOfWork(context))
    except Refused as refused:
        if refused.code == "unauthorized":
            limits.record_failure(*sources)
        raise
    if signed is not None:
        limits.admit(f"paasid:{signed.paasid}", acting_for)
        return Principal("his", f"paasid:{signed.paasid}", acting_for)
    return bearer
