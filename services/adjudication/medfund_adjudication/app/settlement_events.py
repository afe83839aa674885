"""The claims events of a stored settlement or reversal, exactly as docs/events.md lists them."""

from __future__ import annotations

from medfund_adjudication.domain.admission import Admission
from medfund_adjudication.domain.settlement_record import SettlementRecord
from medfund_shared.events.types.claims import FundPayment, SettlementCompleted, SettlementReversed


def _fields(record: SettlementRecord, admission: Admission) -> dict:
    r = record.result
    return dict(
        setl_id=record.setl_id, mdtrt_id=record.mdtrt_id, medins_setl_id=record.medins_setl_id or "",
        psn_no=record.psn_no, fixmedins_code=record.fixmedins_code, admdvs=record.admdvs, insutype=record.insutype,
        med_type=r.med_type, year=record.year, begntime=admission.begntime, setl_time=record.setl_time,
        medfee_sumamt=r.medfee_sumamt, inscp_scp_amt=r.inscp_scp_amt, act_pay_dedc=r.act_pay_dedc,
        hifp_pay=r.hifp_pay, hifmi_pay=r.hifmi_pay, maf_pay=r.maf_pay, fund_pay_sumamt=r.fund_pay_sumamt,
        acct_pay=r.acct_pay, psn_cash_pay=r.psn_cash_pay,
        funds=[FundPayment(fund_pay_type=row.fund_pay_type, fund_payamt=row.fund_payamt) for row in r.setldetail],
        pack_id=r.pack_id, pack_version=str(r.pack_version))


def completed(record: SettlementRecord, admission: Admission) -> SettlementCompleted:
    return SettlementCompleted(**_fields(record, admission), receipt=record.receipt)


def reversed_(record: SettlementRecord, admission: Admission) -> SettlementReversed:
    return SettlementReversed(**_fields(record, admission), original_setl_id=record.original_setl_id)
