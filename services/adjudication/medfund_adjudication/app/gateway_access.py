"""Who may call the gateway: signed requests (x-tif headers) and the sign-in session (9001 / 9002).

The rule on ``sign_no``: a signed caller needs, for every transaction but 9001 and 9002, the ``sign_no`` of a
9001 sign-in of its own institution that has not been signed out. A bearer-token caller may omit it; a
``sign_no`` it does send is checked the same way. The times here are the wall clock's: signing in and checking
a request's freshness are acts that happen now, not business facts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer, RequestKey
from medfund_adjudication.domain.gateway_access import CallerRecords, SignIn
from medfund_adjudication.domain.his_signature import SignedHeaders
from medfund_adjudication.domain.refusal import Refused

SIGN_NO_DIGITS = 24


@dataclass(frozen=True)
class AdmitCall:
    """One gateway call's credentials: the signature headers, or the institution of a bearer token."""

    signed: SignedHeaders | None
    """None: the caller presented a bearer token."""
    bearer_institution: str | None
    """The his token's institution; None for an administrator (or a signed call)."""
    fixmedins_code: str
    """The envelope's institution."""
    sign_no: str | None
    needs_sign_in: bool
    now: datetime
    window_seconds: int


async def admit_call(cmd: AdmitCall, uow: AdjudicationUnitOfWork) -> str | None:
    """The institution the call acts for (None: an administrator acting for any); refuses anything else.

    A signed call's nonce is remembered only once everything else is right, in a statement of its own: a call
    refused for another reason leaves its nonce unused."""
    if cmd.signed is None and (not cmd.needs_sign_in or cmd.sign_no is None):
        return cmd.bearer_institution
    if cmd.signed is not None:
        cmd.signed.ensure_fresh(cmd.now.timestamp(), cmd.window_seconds)
    async with uow.caller_checks() as access:
        records = await access.caller_records(cmd.signed and cmd.signed.paasid, cmd.sign_no)
        acting_for = cmd.bearer_institution
        if cmd.signed is not None:
            acting_for = _signed_institution(cmd.signed, records, uow)
        if cmd.needs_sign_in:
            _ensure_signed_in(records, cmd.sign_no, acting_for or cmd.fixmedins_code)
        if cmd.signed is not None and not await access.remember_nonce(
                cmd.signed.paasid, cmd.signed.nonce, cmd.now, cmd.now - 2 * timedelta(seconds=cmd.window_seconds)):
            raise Refused("unauthorized", "x-tif-nonce was already used: send a new nonce with each request",
                          "x-tif-nonce")
        return acting_for


def _signed_institution(signed: SignedHeaders, records: CallerRecords, uow: AdjudicationUnitOfWork) -> str:
    if records.fixmedins_code is None or records.passtoken_encrypted is None:
        raise Refused("unauthorized", f"x-tif-paasid {signed.paasid} is not registered", "x-tif-paasid")
    passtoken = uow.passtokens.decrypt(records.passtoken_encrypted)
    if passtoken is None:
        raise Refused("unauthorized", f"the credentials of x-tif-paasid {signed.paasid} cannot be read with the "
                                      "platform's key: ask the administrator to set them again", "x-tif-paasid")
    signed.ensure_signed_with(passtoken)
    return records.fixmedins_code


def _ensure_signed_in(records: CallerRecords, sign_no: str | None, fixmedins_code: str) -> None:
    if sign_no is None:
        raise Refused("unauthorized", "sign_no is required: sign in with 9001 first", "sign_no")
    if records.sign_in_institution != fixmedins_code:
        raise Refused("unauthorized", f"sign_no {sign_no} is not a sign-in of institution {fixmedins_code}: "
                                      "sign in with 9001", "sign_no")
    if records.signed_out_at is not None:
        raise Refused("unauthorized", f"sign_no {sign_no} was signed out (9002): sign in again with 9001", "sign_no")


async def _sign_in_of(uow: AdjudicationUnitOfWork, sign_no: str, fixmedins_code: str) -> SignIn:
    """The sign-in, locked, when it is the institution's and still open (9002 closes it)."""
    sign_in = await uow.gateway_access.sign_in_of(sign_no, lock=True)
    _ensure_signed_in(CallerRecords(None, None, sign_in and sign_in.fixmedins_code,
                                    sign_in and sign_in.signed_out_at), sign_no, fixmedins_code)
    return sign_in


@dataclass(frozen=True)
class SignInCommand:
    fixmedins_code: str
    opter_no: str
    mac: str | None
    ip: str | None
    now: datetime
    request: RequestKey | None = None


async def sign_in(cmd: SignInCommand, uow: AdjudicationUnitOfWork) -> Answer[SignIn]:
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        if await uow.registry.get_institution(cmd.fixmedins_code) is None:
            raise Refused("not_found", f"institution {cmd.fixmedins_code} is not registered", "fixmedins_code")
        signed_in = SignIn(f"{secrets.randbelow(10 ** SIGN_NO_DIGITS):0{SIGN_NO_DIGITS}d}", cmd.fixmedins_code,
                           cmd.opter_no, cmd.now, None)
        await uow.gateway_access.add_sign_in(signed_in, cmd.mac, cmd.ip)
        return await uow.commit_answer(cmd.request, signed_in)


@dataclass(frozen=True)
class SignOutCommand:
    fixmedins_code: str
    sign_no: str
    now: datetime
    request: RequestKey | None = None


async def sign_out(cmd: SignOutCommand, uow: AdjudicationUnitOfWork) -> Answer[datetime]:
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        await _sign_in_of(uow, cmd.sign_no, cmd.fixmedins_code)
        await uow.gateway_access.sign_out(cmd.sign_no, cmd.now)
        return await uow.commit_answer(cmd.request, cmd.now)


@dataclass(frozen=True)
class SetCredentials:
    fixmedins_code: str
    paasid: str
    passtoken: str


async def set_credentials(cmd: SetCredentials, uow: AdjudicationUnitOfWork) -> None:
    """Give the institution its signature credentials; a paasid belongs to one institution only."""
    async with uow:
        holder = await uow.gateway_access.holder_of_paasid(cmd.paasid)
        if holder is not None and holder != cmd.fixmedins_code:
            raise Refused("conflict", f"paasid {cmd.paasid} belongs to another institution", "paasid")
        await uow.gateway_access.set_credentials(cmd.fixmedins_code, cmd.paasid,
                                                  uow.passtokens.encrypt(cmd.passtoken))
        await uow.commit()
