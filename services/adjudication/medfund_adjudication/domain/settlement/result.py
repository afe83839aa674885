"""What a settlement answers: the setlinfo amounts, one setldetail row per fund, the items and the deltas."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.itemisation import ItemResult
from medfund_adjudication.domain.settlement.visit import MedType
from medfund_shared.money import Money


@dataclass(frozen=True)
class FundPayment:
    """One setldetail row: a fund that took part in the settlement and why it paid what it paid."""

    fund_pay_type: str
    fund_pay_type_name: str
    inscp_scp_amt: Money
    crt_payb_lmt_amt: Money
    fund_payamt: Money
    setl_proc_info: str


@dataclass(frozen=True)
class SettlementResult:
    med_type: MedType
    age: int
    area: str
    pack_id: str
    pack_version: int
    pack_hash: str
    medfee_sumamt: Money
    fulamt_ownpay_amt: Money
    overlmt_selfpay: Money
    preselfpay_amt: Money
    inscp_scp_amt: Money
    act_pay_dedc: Money
    hifp_pay: Money
    pool_prop_selfpay: Decimal
    """The pooled-fund ratio ``r`` applied (the project's reading of the field)."""
    cvlserv_pay: Money
    hifes_pay: Money
    hifmi_pay: Money
    hifob_pay: Money
    maf_pay: Money
    hosp_part_amt: Money
    oth_pay: Money
    fund_pay_sumamt: Money
    psn_part_amt: Money
    acct_pay: Money
    psn_cash_pay: Money
    balc: Money
    acct_mulaid_pay: Money
    items: tuple[ItemResult, ...]
    setldetail: tuple[FundPayment, ...]
    setl_proc_info: str
    accumulator_delta: Accumulators
    accumulators_after: Accumulators
