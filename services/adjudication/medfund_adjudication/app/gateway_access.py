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

from medfund_adjudication.adapters import gateway_access_repo, registry_repo
from medfund_adjudication.adapters.gateway_access_repo import SignIn
from medfund_adjudication.adapters.uow import Answer, RequestKey, UnitOfWork
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


async def admit_call(cmd: AdmitCall, uow: UnitOfWork) -> str | None:
    """The institution the call acts for (None: an administrator acting for any); refuses anything else."""
    if cmd.signed is None and (not cmd.needs_sign_in or cmd.sign_no is None):
        return cmd.bearer_institution
    if cmd.signed is not None:
        cmd.signed.ensure_fresh(cmd.now.timestamp(), cmd.window_seconds)
    async with uow:
        acting_for = cmd.bearer_institution
        if cmd.signed is not None:
            acting_for = await _signed_institution(cmd.signed, cmd, uow)
        if cmd.needs_sign_in:
            if cmd.sign_no is None:
                raise Refused("unauthorized", "sign_no is required: sign in with 9001 first", "sign_no")
            await _ensure_signed_in(uow, cmd.sign_no, acting_for or cmd.fixmedins_code)
        await uow.session.commit()
        return acting_for


async def _signed_institution(signed: SignedHeaders, cmd: AdmitCall, uow: UnitOfWork) -> str:
    found = await gateway_access_repo.credentials(uow.session, signed.paasid)
    if found is None:
        raise Refused("unauthorized", f"x-tif-paasid {signed.paasid} is not registered", "x-tif-paasid")
    fixmedins_code, encrypted = found
    passtoken = uow.passtokens.decrypt(encrypted)
    if passtoken is None:
        raise Refused("unauthorized", f"the credentials of x-tif-paasid {signed.paasid} cannot be read with the "
                                      "platform's key: ask the administrator to set them again", "x-tif-paasid")
    signed.ensure_signed_with(passtoken)
    window = timedelta(seconds=cmd.window_seconds)
    if not await gateway_access_repo.remember_nonce(uow.session, signed.paasid, signed.nonce, cmd.now,
                                                    cmd.now - 2 * window):
        raise Refused("unauthorized", "x-tif-nonce was already used: send a new nonce with each request",
                      "x-tif-nonce")
    return fixmedins_code


async def _ensure_signed_in(uow: UnitOfWork, sign_no: str, fixmedins_code: str) -> SignIn:
    sign_in = await gateway_access_repo.sign_in_of(uow.session, sign_no)
    if sign_in is None or sign_in.fixmedins_code != fixmedins_code:
        raise Refused("unauthorized", f"sign_no {sign_no} is not a sign-in of institution {fixmedins_code}: "
                                      "sign in with 9001", "sign_no")
    if sign_in.signed_out_at is not None:
        raise Refused("unauthorized", f"sign_no {sign_no} was signed out (9002): sign in again with 9001", "sign_no")
    return sign_in


@dataclass(frozen=True)
class SignInCommand:
    fixmedins_code: str
    opter_no: str
    mac: str | None
    ip: str | None
    now: datetime
    request: RequestKey | None = None


async def sign_in(cmd: SignInCommand, uow: UnitOfWork) -> Answer[SignIn]:
    async with uow:
        if (replay := await uow.replay(cmd.request)) is not None:
            return replay
        if await registry_repo.get_institution(uow.session, cmd.fixmedins_code) is None:
            raise Refused("not_found", f"institution {cmd.fixmedins_code} is not registered", "fixmedins_code")
        signed_in = SignIn(f"{secrets.randbelow(10 ** SIGN_NO_DIGITS):0{SIGN_NO_DIGITS}d}", cmd.fixmedins_code,
                           cmd.opter_no, cmd.now, None)
        await gateway_access_repo.add_sign_in(uow.session, signed_in, cmd.mac, cmd.ip)
        return await uow.commit(cmd.request, signed_in)


@dataclass(frozen=True)
class SignOutCommand:
    fixmedins_code: str
    sign_no: str
    now: datetime
    request: RequestKey | None = None


async def sign_out(cmd: SignOutCommand, uow: UnitOfWork) -> Answer[datetime]:
    async with uow:
        if (replay := await uow.replay(cmd.request)) is not None:
            return replay
        await _ensure_signed_in(uow, cmd.sign_no, cmd.fixmedins_code)
        await gateway_access_repo.sign_out(uow.session, cmd.sign_no, cmd.now)
        return await uow.commit(cmd.request, cmd.now)


@dataclass(frozen=True)
class SetCredentials:
    fixmedins_code: str
    paasid: str
    passtoken: str


async def set_credentials(cmd: SetCredentials, uow: UnitOfWork) -> None:
    """Give the institution its signature credentials; a paasid belongs to one institution only."""
    async with uow:
        holder = await gateway_access_repo.holder_of_paasid(uow.session, cmd.paasid)
        if holder is not None and holder != cmd.fixmedins_code:
            raise Refused("conflict", f"paasid {cmd.paasid} belongs to another institution", "paasid")
        await gateway_access_repo.set_credentials(uow.session, cmd.fixmedins_code, cmd.paasid,
                                                  uow.passtokens.encrypt(cmd.passtoken))
        await uow.commit()
