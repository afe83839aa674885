"""The ``output`` objects of the NHSA transactions, built from use-case results (money stays Money)."""

from __future__ import annotations

from medfund_adjudication.app.person_info import PersonCoverage
from medfund_adjudication.app.settle import Settled
from medfund_adjudication.app.times import business_date
from medfund_adjudication.domain.settlement import ItemResult
from medfund_adjudication.domain.settlement.visit import age_on
from medfund_shared.money import Money

CERT_TYPE_ID_CARD = "01"
_SETL_AMOUNTS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                 "act_pay_dedc", "hifp_pay")
_SETL_AMOUNTS_AFTER_RATIO = ("cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "hosp_part_amt",
                             "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "balc",
                             "acct_mulaid_pay")


def setlinfo(settled: Settled) -> dict:
    record, person, r = settled.record, settled.coverage, settled.record.result
    psn_type, _ = person.category_on(business_date(settled.admission.begntime))
    return {
        "mdtrt_id": record.mdtrt_id, "setl_id": record.setl_id, "psn_no": record.psn_no, "psn_name": person.psn_name,
        "psn_cert_type": CERT_TYPE_ID_CARD, "certno": person.certno, "gend": person.gend, "brdy": person.brdy,
        "age": r.age, "insutype": record.insutype, "psn_type": psn_type, "setl_time": record.setl_time,
        "med_type": r.med_type, **{name: getattr(r, name) for name in _SETL_AMOUNTS},
        "pool_prop_selfpay": r.pool_prop_selfpay, **{name: getattr(r, name) for name in _SETL_AMOUNTS_AFTER_RATIO},
        "medins_setl_id": record.medins_setl_id or "", "clr_optins": record.admdvs, "clr_way": "1",
        "clr_type": "21" if r.med_type in ("21", "52") else "11",
        "pack_id": r.pack_id, "pack_version": r.pack_version, "setl_proc_info": r.setl_proc_info,
    }


def settlement(settled: Settled) -> dict:
    return {"setlinfo": setlinfo(settled), "setldetail": [
        {"fund_pay_type": row.fund_pay_type, "inscp_scp_amt": row.inscp_scp_amt,
         "crt_payb_lmt_amt": row.crt_payb_lmt_amt, "fund_payamt": row.fund_payamt,
         "fund_pay_type_name": row.fund_pay_type_name, "setl_proc_info": row.setl_proc_info}
        for row in settled.record.result.setldetail]}


def fee_item(item: ItemResult) -> dict:
    return {"feedetl_sn": item.feedetl_sn, "det_item_fee_sumamt": item.det_item_fee_sumamt, "cnt": item.cnt,
            "pric": item.pric, "pric_uplmt_amt": item.pric_uplmt_amt, "selfpay_prop": item.selfpay_prop,
            "fulamt_ownpay_amt": item.fulamt_ownpay_amt, "overlmt_amt": item.overlmt_amt,
            "preselfpay_amt": item.preselfpay_amt, "inscp_scp_amt": item.inscp_scp_amt,
            "chrgitm_lv": {"A": "01", "B": "02", "C": "03"}[item.item_class]}


def person(info: PersonCoverage) -> dict:
    first = info.coverages[0]
    balance: Money | None = info.balance
    return {
        "baseinfo": {"psn_no": first.psn_no, "psn_name": first.psn_name, "gend": first.gend, "brdy": first.brdy,
                     "age": age_on(first.brdy, info.on), "certno": first.certno, "psn_cert_type": CERT_TYPE_ID_CARD},
        "insuinfo": [{"insutype": c.insutype, "psn_type": c.category_on(info.on)[0],
                      "psn_insu_stas": c.status_on(info.on),
                      "psn_insu_date": c.coverage_from, "paus_insu_date": _pause_date(c, info.on),
                      "insuplc_admdvs": c.admdvs, "balc": balance if c.insutype == "310" and balance is not None
                      else None, "coverage_to": c.coverage_to,
                      "refusal": (refusal.message if (refusal := c.refusal_on(info.on)) else "")}
                     for c in info.coverages],
    }


def _pause_date(coverage, on):
    if coverage.terminated_on is not None and on >= coverage.terminated_on:
        return coverage.terminated_on
    current = [s.since for s in coverage.suspensions if s.covers(on)]
    return current[0] if current else None
