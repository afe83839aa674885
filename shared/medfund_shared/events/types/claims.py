"""Events of the adjudication service (topic ``medfund.claims.v1``, key = person number)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import register
from medfund_shared.money import YuanAmount

TOPIC = "medfund.claims.v1"


class FundPayment(BaseModel):
    """One fund's share of a settlement; the ledger books it to pool ``{admdvs}:{fund_pay_type}:{year}``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    fund_pay_type: str
    fund_payamt: YuanAmount


@register
class SettlementCompleted(EventData):
    """A hospital settled a visit; the fund amounts are what the ledger books."""

    event_type: ClassVar[str] = "medfund.claims.settlement.completed.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "psn_no"
    subject_field: ClassVar[str] = "setl_id"

    setl_id: str
    mdtrt_id: str
    medins_setl_id: str
    psn_no: str
    fixmedins_code: str
    admdvs: str
    insutype: str
    med_type: str
    year: int
    begntime: datetime
    setl_time: datetime
    medfee_sumamt: YuanAmount
    inscp_scp_amt: YuanAmount
    act_pay_dedc: YuanAmount
    hifp_pay: YuanAmount
    hifmi_pay: YuanAmount
    maf_pay: YuanAmount
    fund_pay_sumamt: YuanAmount
    acct_pay: YuanAmount
    psn_cash_pay: YuanAmount
    funds: list[FundPayment]
    pack_id: str
    pack_version: str
    receipt: str | None = None
    """The settlement's receipt (sha256 over its canonical inputs, the pack's content hash and the engine
    version); absent on a reversal and on settlements recorded before receipts."""


@register
class SettlementReversed(SettlementCompleted):
    """A settlement taken back (2305): every amount of the original negated; the ledger books the negation."""

    event_type: ClassVar[str] = "medfund.claims.settlement.reversed.v1"

    original_setl_id: str


@register
class InstitutionRegistered(EventData):
    """A designated medical institution (定点医药机构) entered or changed in the registry."""

    event_type: ClassVar[str] = "medfund.claims.institution.registered.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "fixmedins_code"
    subject_field: ClassVar[str] = "fixmedins_code"

    fixmedins_code: str
    name: str
    admdvs: str
    level: Literal["primary", "secondary", "tertiary"]
    annual_budget: YuanAmount
    budget_year: int | None = None
    """The one year ``annual_budget`` applies to; None: the registration gives no year's budget."""
