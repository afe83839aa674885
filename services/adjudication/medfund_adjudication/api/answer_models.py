"""Response models of the native answers (the fee split, the settlement, the coverage, the replay) for the OpenAPI
document. The routes keep answering the dicts they build (``responses={status: {"model": …}}``): the answer is
not validated twice, the settlement's hot path included. Money is yuan as exact decimal text, ratios and prices
decimal text, dates and times ISO text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

YUAN = "yuan, exact decimal text"


class FeeItemOut(BaseModel):
    """One fee detail split into self-pay, over-ceiling, pre-self-pay and policy scope."""

    feedetl_sn: str
    det_item_fee_sumamt: str = Field(description=YUAN)
    cnt: str = Field(description="quantity, decimal text")
    pric: str = Field(description="unit price, decimal text")
    pric_uplmt_amt: str = Field(description="the price ceiling, decimal text; 99999999.00 for none")
    selfpay_prop: str = Field(description="the self-pay ratio of the item's class, decimal text")
    fulamt_ownpay_amt: str = Field(description=f"fully self-paid (class C, not in the catalogue), {YUAN}")
    overlmt_amt: str = Field(description=f"above the price ceiling, {YUAN}")
    preselfpay_amt: str = Field(description=f"paid first by the person (class B's ratio), {YUAN}")
    inscp_scp_amt: str = Field(description=f"within the policy scope, {YUAN}")
    chrgitm_lv: Literal["01", "02", "03"] = Field(description="class A, B or C")


class FeesSplit(BaseModel):
    result: list[FeeItemOut]


class SetlInfo(BaseModel):
    """The national interface's ``setlinfo``."""

    setl_id: str = Field(description="the settlement's id; a preview's is recorded nowhere")
    mdtrt_id: str
    psn_no: str
    psn_name: str
    psn_cert_type: str
    certno: str
    gend: str
    naty: str
    brdy: str = Field(description="date of birth, YYYY-MM-DD")
    age: int
    insutype: str
    psn_type: str
    cvlserv_flag: str
    setl_time: str = Field(description="the settlement's business time, ISO 8601 with offset")
    mdtrt_cert_type: str
    med_type: str
    medfee_sumamt: str = Field(description=f"the total of the fees, {YUAN}")
    fulamt_ownpay_amt: str = Field(description=YUAN)
    overlmt_selfpay: str = Field(description=YUAN)
    preselfpay_amt: str = Field(description=YUAN)
    inscp_scp_amt: str = Field(description=YUAN)
    act_pay_dedc: str = Field(description=f"the deductible applied, {YUAN}")
    hifp_pay: str = Field(description=f"the pooled fund's pay, {YUAN}")
    pool_prop_selfpay: str = Field(description="the person's share of the pooled band, decimal text")
    cvlserv_pay: str = Field(description=YUAN)
    hifes_pay: str = Field(description=YUAN)
    hifmi_pay: str = Field(description=f"the catastrophic insurance's pay, {YUAN}")
    hifob_pay: str = Field(description=YUAN)
    maf_pay: str = Field(description=f"medical assistance's pay, {YUAN}")
    oth_pay: str = Field(description=YUAN)
    fund_pay_sumamt: str = Field(description=f"every fund's pay, {YUAN}")
    psn_part_amt: str = Field(description=f"the person's part, {YUAN}")
    acct_pay: str = Field(description=f"paid from the individual account, {YUAN}")
    psn_cash_pay: str = Field(description=f"paid by the person in cash, {YUAN}")
    hosp_part_amt: str = Field(description=YUAN)
    balc: str = Field(description=f"the individual account's balance after, {YUAN}")
    acct_mulaid_pay: str = Field(description=YUAN)
    hifdm_pay: str = Field(description=YUAN)
    emp_name: str
    medins_setl_id: str
    clr_optins: str
    clr_way: str
    clr_type: str
    exp_content: None
    pack_id: str = Field(description="the policy pack applied")
    pack_version: int
    setl_proc_info: str = Field(description="how the amounts were reached, with the settlement's receipt")


class SetlDetailRow(BaseModel):
    """One fund that took part in the settlement and why it paid what it paid."""

    fund_pay_type: str
    inscp_scp_amt: str = Field(description=YUAN)
    crt_payb_lmt_amt: str = Field(description=f"the fund's ceiling left, {YUAN}")
    fund_payamt: str = Field(description=YUAN)
    fund_pay_type_name: str
    setl_proc_info: str


class Settlement(BaseModel):
    """A settlement (a reversal's amounts negated; a preview's recorded nowhere)."""

    setlinfo: SetlInfo
    setldetail: list[SetlDetailRow]


class BaseInfo(BaseModel):
    psn_no: str
    psn_name: str
    gend: str
    brdy: str = Field(description="YYYY-MM-DD")
    age: int = Field(description="on the day asked")
    certno: str
    psn_cert_type: str
    naty: str


class InsuInfo(BaseModel):
    insutype: str
    psn_type: str
    psn_insu_stas: str = Field(description="the cover's state on the day asked")
    psn_insu_date: str = Field(description="cover from, YYYY-MM-DD")
    paus_insu_date: str | None = Field(description="terminated or suspended since, YYYY-MM-DD; null when covered")
    insuplc_admdvs: str
    balc: str = Field(description=f"the individual account's balance (employees), {YUAN}")
    cvlserv_flag: str
    emp_name: str
    coverage_to: str | None = Field(description="cover until, YYYY-MM-DD")
    refusal: str = Field(description="why a settlement on the day would be refused; empty when it would not")


class PersonCoverageOut(BaseModel):
    """The person and their cover on a day (as 1101)."""

    baseinfo: BaseInfo
    insuinfo: list[InsuInfo]


class ReceiptComparison(BaseModel):
    recorded: str
    replayed: str
    equal: bool


class FieldComparisonOut(BaseModel):
    field: str = Field(description="a leaf of the result, e.g. setldetail[0].fund_payamt")
    recorded: str | int | bool | None = Field(description="money and decimals as text")
    replayed: str | int | bool | None
    equal: bool


class ReplayOut(BaseModel):
    """A recorded settlement computed again from its stored inputs, field by field."""

    setl_id: str
    verdict: Literal["EQUAL", "DIFFERENT"]
    receipt: ReceiptComparison
    pack_id: str
    pack_version: int
    pack_hash: str
    engine_version: str
    fields_compared: int
    differences: int
    fields: list[FieldComparisonOut]
