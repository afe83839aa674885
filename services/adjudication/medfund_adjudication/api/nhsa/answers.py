"""The ``output`` objects of the NHSA transactions, built from use-case results (money stays Money).

Every field a typed client model reads is present with the type it expects: amounts are numbers with two
decimals (``balc`` and ``pric_uplmt_amt`` too, never null), codes are strings, and a value we do not hold is
``""`` (a string field) or ``null`` (``exp_content``)."""

from __future__ import annotations

from decimal import Decimal

from medfund_adjudication.api.nhsa import wire
from medfund_adjudication.app.person_info import PersonCoverage
from medfund_adjudication.app.settle import Settled
from medfund_adjudication.domain.settlement import ItemResult
from medfund_shared.money import Money
from medfund_shared.policy.ages import age_on
from medfund_shared.schemes import EMPLOYEE_SCHEME

CERT_TYPE_ID_CARD = "01"
NOT_A_CIVIL_SERVANT = "0"
NO_PRICE_CEILING = Decimal("99999999.00")
"""``pric_uplmt_amt`` of an item without a price ceiling, as the national platform answers it (a captured 2204
answer of a provincial platform reads ``"pric_uplmt_amt":99999999.000000`` for a class-C item)."""
_SETL_AMOUNTS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                 "act_pay_dedc", "hifp_pay")
_SETL_AMOUNTS_AFTER_RATIO = ("cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay",
                             "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt", "balc",
                             "acct_mulaid_pay")


def setlinfo(settled: Settled, *, recorded: bool = True) -> dict:
    """The national interface's ``setlinfo`` (2207/2304 and their reversals); a pre-settlement (2206/2303) has
    no ``setl_id``."""
    record, person, r = settled.record, settled.coverage, settled.record.result
    ids = {"mdtrt_id": record.mdtrt_id, **({"setl_id": record.setl_id} if recorded else {})}
    return {
        **ids, "psn_no": record.psn_no, "psn_name": person.psn_name, "psn_cert_type": CERT_TYPE_ID_CARD,
        "certno": person.certno, "gend": person.gend, "naty": "", "brdy": person.brdy, "age": r.age,
        "insutype": record.insutype, "psn_type": settled.psn_type, "cvlserv_flag": NOT_A_CIVIL_SERVANT,
        "setl_time": record.setl_time, "mdtrt_cert_type": settled.admission.mdtrt_cert_type or "",
        "med_type": r.med_type, **{name: getattr(r, name) for name in _SETL_AMOUNTS},
        "pool_prop_selfpay": r.pool_prop_selfpay, **{name: getattr(r, name) for name in _SETL_AMOUNTS_AFTER_RATIO},
        "hifdm_pay": Money(0), "emp_name": "", "medins_setl_id": record.medins_setl_id or "",
        "clr_optins": record.admdvs, "clr_way": "1", "clr_type": "21" if r.med_type in ("21", "52") else "11",
        "exp_content": None, "pack_id": r.pack_id, "pack_version": r.pack_version,
        "setl_proc_info": r.setl_proc_info + (f" | receipt {record.receipt}" if record.receipt else ""),
    }


def settlement(settled: Settled, *, recorded: bool = True) -> dict:
    return {"setlinfo": setlinfo(settled, recorded=recorded), "setldetail": [
        {"fund_pay_type": row.fund_pay_type, "inscp_scp_amt": row.inscp_scp_amt,
         "crt_payb_lmt_amt": row.crt_payb_lmt_amt, "fund_payamt": row.fund_payamt,
         "fund_pay_type_name": row.fund_pay_type_name, "setl_proc_info": row.setl_proc_info}
        for row in settled.record.result.setldetail]}


def pre_settlement(settled: Settled) -> dict:
    return settlement(settled, recorded=False)


def fee_item(item: ItemResult) -> dict:
    ceiling = NO_PRICE_CEILING if item.pric_uplmt_amt is None else wire.price(item.pric_uplmt_amt)
    return {"feedetl_sn": item.feedetl_sn, "det_item_fee_sumamt": item.det_item_fee_sumamt,
            "cnt": wire.quantity(item.cnt), "pric": wire.price(item.pric), "pric_uplmt_amt": ceiling,
            "selfpay_prop": item.selfpay_prop, "fulamt_ownpay_amt": item.fulamt_ownpay_amt,
            "overlmt_amt": item.overlmt_amt, "preselfpay_amt": item.preselfpay_amt,
            "inscp_scp_amt": item.inscp_scp_amt, "chrgitm_lv": {"A": "01", "B": "02", "C": "03"}[item.item_class]}


def person(info: PersonCoverage) -> dict:
    first = info.coverages[0]
    balance = info.balance if info.balance is not None else Money(0)
    return {
        "baseinfo": {"psn_no": first.psn_no, "psn_name": first.psn_name, "gend": first.gend, "brdy": first.brdy,
                     "age": age_on(first.brdy, info.on), "certno": first.certno, "psn_cert_type": CERT_TYPE_ID_CARD,
                     "naty": ""},
        "insuinfo": [{"insutype": c.insutype, "psn_type": info.psn_types[c.insutype],
                      "psn_insu_stas": c.status_on(info.on),
                      "psn_insu_date": c.coverage_from, "paus_insu_date": _pause_date(c, info.on),
                      "insuplc_admdvs": c.admdvs, "balc": balance if c.insutype == EMPLOYEE_SCHEME else Money(0),
                      "cvlserv_flag": NOT_A_CIVIL_SERVANT, "emp_name": "", "coverage_to": c.coverage_to,
                      "refusal": (refusal.message if (refusal := c.refusal_on(info.on)) else "")}
                     for c in info.coverages],
    }


def _pause_date(coverage, on):
    if coverage.terminated_on is not None and on >= coverage.terminated_on:
        return coverage.terminated_on
    current = [s.since for s in coverage.suspensions if s.covers(on)]
    return current[0] if current else None
