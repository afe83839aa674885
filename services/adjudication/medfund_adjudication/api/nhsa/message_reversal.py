"""2601 (冲正): ``input.data{psn_no, omsgid, oinfno}`` takes back what message ``omsgid`` (a ``oinfno``) did."""

from __future__ import annotations

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.nhsa import answers
from medfund_adjudication.api.nhsa.transactions import Call, message_scope, run
from medfund_adjudication.app.commands import Reverse
from medfund_adjudication.app.reversal_by_message import (
    SETTLEMENTS,
    UPLOADS,
    CancelRegistration,
    CancelUpload,
    cancel_registration,
    cancel_upload,
    original,
    registration_of,
    settlement_of,
)
from medfund_adjudication.app.reverse import reverse_settlement


def _nothing(_result) -> dict:
    return {}


async def message_reversal(call: Call, uow: UnitOfWork):
    """A settlement's reversal answers as 2305 / 2208 does; an upload's or a registration's answers ``{}``."""
    data = call.input.child("data")
    psn_no, omsgid, oinfno = data.text("psn_no"), data.text("omsgid"), data.text("oinfno")
    found = await original(message_scope(call.fixmedins_code), omsgid, oinfno, uow)
    if oinfno in SETTLEMENTS:
        mdtrt_id, setl_id = settlement_of(found, psn_no)
        cmd = Reverse(call.acting_for, mdtrt_id, setl_id, psn_no, call.inf_time, call.request(answers.settlement))
        return await run(reverse_settlement, cmd, uow, answers.settlement)
    if oinfno in UPLOADS:
        return await run(cancel_upload, CancelUpload(call.acting_for, psn_no, found, call.request(_nothing)), uow,
                         _nothing)
    cmd = CancelRegistration(call.acting_for, psn_no, registration_of(found, psn_no), call.inf_time,
                             call.request(_nothing))
    return await run(cancel_registration, cmd, uow, _nothing)


TRANSACTIONS = {"2601": message_reversal}
