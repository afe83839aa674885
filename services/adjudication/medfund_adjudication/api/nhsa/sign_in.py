"""9001 sign-in (``input.signIn``) and 9002 sign-out (``input.signOut``): the session later calls name by sign_no."""

from __future__ import annotations

from datetime import UTC, datetime

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.nhsa.transactions import Call, run
from medfund_adjudication.app.gateway_access import SignInCommand, SignOutCommand, sign_in, sign_out


def _signed_in(result) -> dict:
    return {"signinoutb": {"sign_time": result.signed_in_at, "sign_no": result.sign_no}}


def _signed_out(signed_out_at: datetime) -> dict:
    return {"signoutoutb": {"sign_time": signed_out_at}}


async def sign_in_transaction(call: Call, uow: UnitOfWork):
    info = call.input.child("signIn")
    cmd = SignInCommand(call.fixmedins_code, info.text("opter_no"), info.text("mac", required=False),
                        info.text("ip", required=False), datetime.now(UTC), call.request(_signed_in))
    return await run(sign_in, cmd, uow, _signed_in)


async def sign_out_transaction(call: Call, uow: UnitOfWork):
    info = call.input.child("signOut")
    cmd = SignOutCommand(call.fixmedins_code, info.text("sign_no"), datetime.now(UTC), call.request(_signed_out))
    return await run(sign_out, cmd, uow, _signed_out)


TRANSACTIONS = {"9001": sign_in_transaction, "9002": sign_out_transaction}
