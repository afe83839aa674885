"""``POST /fsi/api/rsfComIfsService/callService``: the national platform's envelope, HTTP 200 always."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.nhsa import callers, wire
from medfund_adjudication.api.nhsa.dispatch import TRANSACTIONS
from medfund_adjudication.api.nhsa.encoding import decode_body
from medfund_adjudication.api.nhsa.fields import Fields
from medfund_adjudication.api.nhsa.transactions import Call
from medfund_adjudication.domain.refusal import Refused, invalid
from medfund_shared.auth import Principal, require_roles
from medfund_shared.context import ContextDep
from medfund_shared.errors import RETRY_AFTER_SECONDS, is_bad_data, is_conflict, is_unavailable
from medfund_shared.json_body import NotJson, parse_json
from medfund_shared.openapi import ERRORS_IN_ANSWER
from medfund_shared.rate_limit import Throttled
from medfund_shared.refusal import Refusal

log = structlog.get_logger(__name__)


class GatewayRoute(APIRoute):
    """The gateway's route, serving its endpoint without FastAPI's dependency solving.

    Settlement is the hot path and solving the endpoint's dependencies cost about a twentieth of a settlement's
    CPU in the service. They stay declared on the endpoint, which is what OpenAPI shows (the signature and bearer
    schemes) and what the route tables read (the roles a bearer token may have); this handler passes the
    service's context, and the endpoint identifies the caller itself (:func:`callers.identify`), so that a
    refusal is answered in the envelope."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            return await endpoint(request, request.app.state.context)

        return handler


router = APIRouter(tags=["NHSA gateway"], route_class=GatewayRoute)


class NhsaRequest(BaseModel):
    """The platform's request envelope; ``input`` depends on ``infno``. Unknown fields are ignored."""

    model_config = ConfigDict(extra="allow")
    infno: str = Field(examples=["2304"], description="transaction: " + ", ".join(TRANSACTIONS))
    msgid: str = Field(description="the sender's message id; a repeat returns the first answer")
    mdtrtarea_admvs: str | None = None
    insuplc_admdvs: str | None = None
    recer_sys_code: str | None = None
    infver: str | None = None
    opter_type: str | None = None
    opter: str | None = None
    opter_name: str | None = None
    inf_time: str = Field(examples=["2026-07-01 10:30:00"], description="Beijing time; the business time")
    fixmedins_code: str = Field(description="the caller's institution: the one its paasid or his token belongs to")
    fixmedins_name: str | None = None
    sign_no: str | None = Field(default=None, description="the 9001 sign-in's sign_no: required of a signed caller "
                                                          "for every transaction but 9001/9002, checked when sent")
    input: dict[str, Any]


class NhsaResponse(BaseModel):
    """``infcode`` 0 with ``output``, or -1 with a readable ``err_msg``; amounts are numbers with two decimals."""

    infcode: int
    inf_refmsgid: str
    refmsg_time: str = Field(examples=["20261204103005123"], description="Beijing time, yyyyMMddHHmmssfff")
    respond_time: str = Field(examples=["20261204103005123"], description="Beijing time, yyyyMMddHHmmssfff")
    err_msg: str
    output: dict[str, Any] | None


def _parse_body(body: bytes, content_type: str | None) -> Fields:
    text = decode_body(body, content_type)
    try:
        raw = parse_json(text)
    except NotJson as error:
        raise invalid("body", str(error)) from None
    return Fields(raw, "envelope")


def _call(envelope: Fields, principal: Principal) -> Call:
    infno = envelope.choice("infno", tuple(TRANSACTIONS))
    msgid = envelope.text("msgid")
    fixmedins_code = envelope.text("fixmedins_code")
    if principal.role == "his" and principal.fixmedins_code != fixmedins_code:
        raise Refused("forbidden", f"not authorised for fixmedins_code {fixmedins_code}", "fixmedins_code")
    acting_for = principal.fixmedins_code if principal.role == "his" else None
    return Call(infno, msgid, fixmedins_code, envelope.time("inf_time"), acting_for, envelope.child("input"),
                envelope.raw("input"))


@router.post("/fsi/api/rsfComIfsService/callService", response_model=NhsaResponse,
             dependencies=[Security(callers.SIGNATURE_SCHEME), Depends(require_roles(*callers.GATEWAY_ROLES))],
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": NhsaRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}},
                 ERRORS_IN_ANSWER: "a refusal, a throttled caller or an outage is a 200 NHSA envelope with infcode "
                                   "-1 and err_msg (with Retry-After when retrying helps)"})
async def call_service(request: Request, context: ContextDep) -> Response:
    """One NHSA transaction (1101, 2201–2208, 2301–2305, 2401, 2402, 2601, 3201, 5201, 5203–5206, 9001, 9002),
    signed with the x-tif headers or with a bearer token (see docs/his-integration.md)."""
    msgid = ""
    headers = None
    try:
        envelope = _parse_body(await request.body(), request.headers.get("content-type"))
        msgid = envelope.raw("msgid") if isinstance(envelope.raw("msgid"), str) else ""
        call = _call(envelope, await callers.identify(request, context, envelope))
        output, text = await TRANSACTIONS[call.infno](call, UnitOfWork(context))
        text = text if text is not None else wire.envelope(call.msgid, output)
    except Refusal as refused:
        log.info("nhsa_refused", code=refused.code, field=refused.field)
        text = wire.envelope(msgid, None, err_msg=refused.message)
    except Throttled as throttled:
        log.info("nhsa_throttled", code=throttled.code)
        text = wire.envelope(msgid, None, err_msg=f"{throttled.message} ({throttled.retry_after} s); retry the "
                                                  "same msgid")
        headers = {"Retry-After": str(throttled.retry_after)}
    except Exception as exc:
        if is_conflict(exc):
            text = wire.envelope(msgid, None, err_msg="a concurrent request changed the same record; retry")
        elif is_bad_data(exc):
            text = wire.envelope(msgid, None, err_msg="a value in the message cannot be stored (e.g. a NUL character)")
        elif is_unavailable(exc):
            log.warning("nhsa_unavailable", error_type=type(exc).__name__)
            text = wire.envelope(msgid, None,
                                 err_msg="the insurance service is temporarily unavailable; retry the same msgid")
            headers = {"Retry-After": RETRY_AFTER_SECONDS}
        else:
            raise
    return Response(text, media_type="application/json", headers=headers)
