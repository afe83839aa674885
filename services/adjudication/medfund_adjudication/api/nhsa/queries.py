"""5201 visits, 5203 a settlement, 5204 fee details, 5205 / 5206 a person's accumulated figures of a year.

Shapes as the national interface specification: ``input.data`` in; out ``mdtrtinfo`` (5201), ``setlinfo`` and
``setldetail`` (5203, as 2304 answers them), ``result`` (5204: one row per fee detail) and ``cuminfo`` (5205 /
5206: one row per accumulated figure).
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.nhsa import answers
from medfund_adjudication.api.nhsa.fields import Fields
from medfund_adjudication.api.nhsa.transactions import Call
from medfund_adjudication.app import gateway_queries as q
from medfund_adjudication.domain.refusal import invalid
from medfund_shared.china_time import business_date
from medfund_shared.money import Money
from medfund_shared.policy.ages import age_on

WHOLE = Decimal("0.01")


def _data(call: Call) -> Fields:
    return call.input.child("data")


async def visits(call: Call, uow: UnitOfWork):
    data = _data(call)
    found = await q.visits_of(q.VisitsQuery(
        call.fixmedins_code, data.text("psn_no"), data.time("begntime", required=False),
        data.time("endtime", required=False), data.text("med_type", required=False),
        data.text("mdtrt_id", required=False)), uow)
    return {"mdtrtinfo": [_visit(view) for view in found]}, None


def _visit(view: q.VisitView) -> dict:
    admission, person = view.visit.admission, view.coverage
    day = business_date(admission.begntime)
    return {
        "mdtrt_id": admission.mdtrt_id, "psn_no": admission.psn_no, "psn_cert_type": answers.CERT_TYPE_ID_CARD,
        "certno": person.certno if person else "", "psn_name": person.psn_name if person else "",
        "gend": person.gend if person else "", "brdy": person.brdy if person else None,
        "age": age_on(person.brdy, day) if person else None, "insutype": admission.insutype,
        "psn_type": view.psn_type, "begntime": admission.begntime,
        "endtime": admission.endtime, "med_type": admission.med_type, "ipt_otp_no": view.visit.ipt_otp_no or "",
        "dscg_way": view.visit.dscg_way or "", "fixmedins_code": admission.fixmedins_code,
        "inhosp_stas": "1" if admission.endtime is None and admission.cancelled_at is None else "0",
        "vali_flag": "0" if admission.cancelled_at is not None else "1",
    }


async def settlement(call: Call, uow: UnitOfWork):
    data = _data(call)
    settled = await q.settlement_by_id(q.SettlementQuery(call.fixmedins_code, data.text("psn_no"),
                                                         data.text("setl_id")), uow)
    return answers.settlement(settled), None


async def fee_details(call: Call, uow: UnitOfWork):
    data = _data(call)
    found = await q.fee_details_of(q.FeeDetailsQuery(call.acting_for, data.text("psn_no"), data.text("mdtrt_id"),
                                                     data.text("setl_id", required=False)), uow)
    return {"result": [{
        "mdtrt_id": view.line.mdtrt_id, "setl_id": view.setl_id or "", "med_type": view.med_type,
        "fee_ocur_time": view.line.fee_ocur_time, "med_list_codg": view.line.med_list_codg,
        "hilist_code": view.line.med_list_codg, "medins_list_codg": view.line.medins_list_codg or "",
        **answers.fee_item(view.item)} for view in found]}, None


async def accumulated(call: Call, uow: UnitOfWork):
    data = _data(call)
    cum_ym = data.text("cum_ym", required=False) or f"{business_date(call.inf_time):%Y%m}"
    if len(cum_ym) != 6 or not cum_ym.isdigit() or not 1 <= int(cum_ym[4:]) <= 12:
        raise invalid("input.data.cum_ym", f"must be a month yyyyMM, got {cum_ym!r}")
    found = await q.accumulated(q.AccumulatedQuery(call.fixmedins_code, data.text("psn_no"), int(cum_ym[:4])), uow)
    totals = found.totals
    return {"cuminfo": [{"insutype": coverage.insutype, "year": str(coverage.year), "cum_ym": cum_ym,
                         "cum_type_code": figure.name, "cum": _figure(getattr(totals, figure.name))}
                        for coverage in found.coverages for figure in fields(totals)]}, None


def _figure(value: Money | int) -> Money | Decimal:
    """Amounts stay Money; a count (visits) is written as a number with two decimals like the amounts."""
    return value if isinstance(value, Money) else Decimal(value).quantize(WHOLE)


TRANSACTIONS = {"5201": visits, "5203": settlement, "5204": fee_details, "5205": accumulated, "5206": accumulated}
