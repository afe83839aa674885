"""Each NHSA transaction: read its ``input``, run the shared use case, shape its ``output``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from medfund_adjudication.adapters.uow import RequestKey, UnitOfWork
from medfund_adjudication.api.nhsa import answers, wire
from medfund_adjudication.api.nhsa.fields import Fields
from medfund_adjudication.app import commands
from medfund_adjudication.app.admission import admit, discharge
from medfund_adjudication.app.fees import cancel_fees, upload_fees
from medfund_adjudication.app.person_info import person_info
from medfund_adjudication.app.reconcile import reconcile_totals
from medfund_adjudication.app.reverse import reverse_settlement
from medfund_adjudication.app.settle import settle_visit
from medfund_adjudication.domain.admission import INPATIENT_MED_TYPES, OUTPATIENT_MED_TYPES
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_adjudication.domain.reconciliation import Totals
from medfund_shared.china_time import business_date
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME

ALL_FEES = "0000"
INSUTYPES = (EMPLOYEE_SCHEME, RESIDENT_SCHEME)
SOCIAL_SECURITY_CARD = "03"
"""``mdtrt_cert_type`` 03: ``mdtrt_cert_no`` is the social security card number."""


@dataclass(frozen=True)
class Call:
    """One gateway call: the envelope's facts, the caller's reach and the parsed ``input``."""

    infno: str
    msgid: str
    fixmedins_code: str
    inf_time: datetime
    acting_for: str | None
    input: Fields
    raw_input: Any

    def request(self, output: Callable[[Any], Any]) -> RequestKey:
        """Idempotency on msgid: the answer text is stored with the change it reports."""
        return RequestKey.of(message_scope(self.fixmedins_code), self.msgid,
                             [self.infno, self.fixmedins_code, self.raw_input],
                             lambda result: wire.envelope(self.msgid, output(result)), "msgid")


def message_scope(fixmedins_code: str) -> str:
    """The idempotency scope of an institution's gateway messages, keyed by msgid (a 2601 finds one by it)."""
    return f"nhsa:{fixmedins_code}"


Output = Any
Transaction = Callable[[Call, UnitOfWork], Awaitable[tuple[Output, str | None]]]


def _data(call: Call) -> Fields:
    return call.input.child("data")


async def person_and_coverage(call: Call, uow: UnitOfWork):
    """By ``certno``; else by ``mdtrt_cert_no``: a social security card number when ``mdtrt_cert_type`` is 03,
    an ID number otherwise."""
    data = _data(call)
    on = business_date(call.inf_time)
    certno = data.text("certno", required=False)
    if certno is not None:
        return answers.person(await person_info(commands.PersonInfo(on, certno=certno), uow)), None
    card = data.text("mdtrt_cert_no", required=False)
    if card is None:
        data.text("certno")
    if data.text("mdtrt_cert_type", required=False) == SOCIAL_SECURITY_CARD:
        return answers.person(await person_info(commands.PersonInfo(on, ssc_no=card.upper()), uow)), None
    return answers.person(await person_info(commands.PersonInfo(on, certno=card), uow)), None


def _admission(call: Call, info: Fields, med_types: tuple[str, ...], default_med_type: str | None,
               diseases: list[Fields], output: Callable[[Any], Any]) -> commands.Admit:
    return commands.Admit(
        call.fixmedins_code, info.text("psn_no"), info.choice("insutype", INSUTYPES),
        info.choice("med_type", med_types, required=default_med_type is None, default=default_med_type),
        info.time("begntime"), info.flag("refl_flag"), info.text("ipt_no", required=False) or
        info.text("ipt_otp_no", required=False),
        tuple(code for d in diseases if (code := d.text("diag_code", required=False))), med_types,
        call.request(output), info.text("mdtrt_cert_type", required=False))


def _admitted(result) -> dict:
    return {"mdtrt_id": result.mdtrt_id, "psn_no": result.psn_no, "ipt_otp_no": result.ipt_otp_no or ""}


def _admitted_inpatient(result) -> dict:
    """2401 answers in ``output.result``."""
    return {"result": _admitted(result)}


def _registered_outpatient(result) -> dict:
    """2201 answers in ``output.data``."""
    return {"data": _admitted(result)}


async def inpatient_admission(call: Call, uow: UnitOfWork):
    cmd = _admission(call, call.input.child("mdtrtinfo"), INPATIENT_MED_TYPES, None, call.input.rows("diseinfo"),
                     _admitted_inpatient)
    return await run(admit, cmd, uow, _admitted_inpatient)


async def outpatient_registration(call: Call, uow: UnitOfWork):
    cmd = _admission(call, _data(call), OUTPATIENT_MED_TYPES, "11", call.input.rows("diseinfo"),
                     _registered_outpatient)
    return await run(admit, cmd, uow, _registered_outpatient)


def _fee_line(row: Fields) -> FeeLine:
    """A fee detail; with ``init_feedetl_sn`` a refund line, whose ``cnt`` and amount are negative."""
    refunds = row.text("init_feedetl_sn", required=False)
    refund = refunds is not None
    return FeeLine(row.text("feedetl_sn"), row.text("mdtrt_id"), row.text("psn_no"), row.text("med_list_codg"),
                   row.text("medins_list_codg", required=False), row.time("fee_ocur_time", required=False),
                   row.decimal("cnt", positive=not refund, negative=refund), row.decimal("pric"),
                   row.money("det_item_fee_sumamt", negative=refund), refunds)


def _fees_output(results) -> dict:
    return {"result": [answers.fee_item(item) for item in results]}


async def fee_upload(call: Call, uow: UnitOfWork):
    lines = tuple(_fee_line(row) for row in call.input.rows("feedetail"))
    cmd = commands.UploadFees(call.acting_for, lines, call.request(_fees_output))
    return await run(upload_fees, cmd, uow, _fees_output)


def _nothing(_result) -> dict:
    return {}


def _cancellation(data: Fields) -> commands.FeeCancellation:
    sn = data.text("feedetl_sn")
    return commands.FeeCancellation(data.text("mdtrt_id"), data.text("psn_no"), None if sn == ALL_FEES else sn)


async def fee_cancellation(call: Call, uow: UnitOfWork):
    """``input.data`` is one object or a list of them (``[{feedetl_sn, mdtrt_id, psn_no, exp_content}]``)."""
    cancellations = tuple(_cancellation(row) for row in call.input.rows("data"))
    if not cancellations:
        call.input.child("data")
    cmd = commands.CancelFees(call.acting_for, cancellations, call.request(_nothing))
    return await run(cancel_fees, cmd, uow, _nothing)


async def discharge_registration(call: Call, uow: UnitOfWork):
    info = call.input.child("dscginfo")
    cmd = commands.Discharge(call.acting_for, info.text("mdtrt_id"), info.text("psn_no"), info.time("endtime"),
                             info.text("dscg_way", required=False), call.request(_nothing))
    return await run(discharge, cmd, uow, _nothing)


def _settle_command(call: Call, record: bool) -> commands.Settle:
    data = _data(call)
    return commands.Settle(
        call.acting_for, data.text("mdtrt_id"), data.text("psn_no"), data.choice("insutype", INSUTYPES, required=False),
        data.money("medfee_sumamt"), data.flag("acct_used_flag"), data.text("medins_setl_id", required=False),
        call.inf_time, record, call.request(answers.settlement) if record else None, data.flag("mid_setl_flag"))


async def pre_settlement(call: Call, uow: UnitOfWork):
    return await run(settle_visit, _settle_command(call, record=False), uow, answers.pre_settlement)


async def settlement(call: Call, uow: UnitOfWork):
    return await run(settle_visit, _settle_command(call, record=True), uow, answers.settlement)


async def reversal(call: Call, uow: UnitOfWork):
    data = _data(call)
    cmd = commands.Reverse(call.acting_for, data.text("mdtrt_id"), data.text("setl_id"), data.text("psn_no"),
                           call.inf_time, call.request(answers.settlement))
    return await run(reverse_settlement, cmd, uow, answers.settlement)


async def reconciliation(call: Call, uow: UnitOfWork):
    data = _data(call)
    theirs = Totals(data.integer("fixmedins_setl_cnt"), data.money("medfee_sumamt"), data.money("fund_pay_sumamt"),
                    data.money("acct_pay"))
    setl_optins = data.text("setl_optins", required=False)
    cmd = commands.Reconcile(call.fixmedins_code, data.choice("insutype", INSUTYPES, required=False), setl_optins,
                             data.date("stmt_begndate"), data.date("stmt_enddate"), theirs,
                             data.flag("refd_setl_flag"))
    statement = await reconcile_totals(cmd, uow)
    return {"stmtinfo": {"setl_optins": setl_optins or "", "stmt_rslt": statement.stmt_rslt,
                         "stmt_rslt_dscr": statement.stmt_rslt_dscr}}, None


async def run(use_case, cmd, uow: UnitOfWork, output: Callable[[Any], Any]):
    """The use case's ``output``, or the text first answered when its msgid was used before."""
    answer = await use_case(cmd, uow)
    if answer.text is not None:
        return None, answer.text
    return output(answer.result), None


TRANSACTIONS: dict[str, Transaction] = {
    "1101": person_and_coverage,
    "2401": inpatient_admission, "2301": fee_upload, "2302": fee_cancellation, "2402": discharge_registration,
    "2303": pre_settlement, "2304": settlement, "2305": reversal,
    "2201": outpatient_registration, "2204": fee_upload, "2206": pre_settlement, "2207": settlement,
    "2208": reversal,
    "3201": reconciliation,
}
