"""Builders of real producer events for the ledger tests (the pydantic types of medfund_shared.events.types)."""

from __future__ import annotations

import itertools
from datetime import datetime

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.billing import (
    AppropriationRecorded,
    ContributionOnBehalfPaid,
    ContributionReceived,
    SubsidyAllocated,
)
from medfund_shared.events.types.claims import InstitutionRegistered, SettlementCompleted
from medfund_shared.events.types.enrollment import CoverageActivated, EligiblePopulationSet

_seq = itertools.count(1)


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=CHINA_TIME)


def envelope(data: EventData, when: datetime, event_id: str | None = None) -> CloudEvent:
    """The CloudEvent a producer's outbox relay would publish for ``data`` at business time ``when``."""
    return CloudEvent(source="medfund/test", type=data.event_type, subject=data.subject(), time=when,
                      effectivetime=when, partitionkey=data.partition_key(), data=data.model_dump(mode="json"),
                      **({"id": event_id} if event_id else {}))


def contribution(admdvs: str, year: int, amount: str, paid_at: datetime) -> ContributionReceived:
    n = next(_seq)
    return ContributionReceived(
        payment_id=f"PAY{n}", tax_voucher_no=f"TV{n}", certno=f"50024019900101{n:04d}", psn_no=f"P{n}",
        admdvs=admdvs, insutype="390", year=year, amount=amount, channel="bank", tax_office_code="TAX500240",
        paid_at=paid_at, match="full", premium_due=amount, paid_total=amount, shortfall="0", credit="0")


def on_behalf(admdvs: str, year: int, amount: str, paid_at: datetime,
              payer: str = "government") -> ContributionOnBehalfPaid:
    n = next(_seq)
    return ContributionOnBehalfPaid(payment_id=f"OB{n}", psn_no=f"P{n}", admdvs=admdvs, insutype="390", year=year,
                                    category="dibao", amount=amount, paid_at=paid_at, payer=payer)


def appropriation(admdvs: str, year: int, amount: str, received_at: datetime, source: str = "civil_affairs",
                  fund_pay_type: str = "610100") -> AppropriationRecorded:
    n = next(_seq)
    return AppropriationRecorded(appropriation_id=f"AP{n}", admdvs=admdvs, fund_pay_type=fund_pay_type, year=year,
                                 amount=amount, received_at=received_at, source=source, voucher_no=f"V{n}")


def subsidy(admdvs: str, year: int, shares: dict[str, str], allocated_at: datetime) -> SubsidyAllocated:
    n = next(_seq)
    total = sum(int(v.replace(".", "")) for v in shares.values())
    return SubsidyAllocated(subsidy_id=f"SUB{n}", psn_no=f"P{n}", admdvs=admdvs, insutype="390", year=year,
                            amount=f"{total // 100}.{total % 100:02d}",
                            shares=[{"level": k, "amount": v} for k, v in shares.items()], allocated_at=allocated_at)


def institution(code: str, admdvs: str, annual_budget: str, budget_year: int | None = 2026) -> InstitutionRegistered:
    return InstitutionRegistered(fixmedins_code=code, name=f"hospital {code}", admdvs=admdvs, level="secondary",
                                 annual_budget=annual_budget, budget_year=budget_year)


def settlement(admdvs: str, year: int, code: str, med_type: str, fund_paid: str, when: datetime,
               fund_pay_type: str = "390100") -> SettlementCompleted:
    n = next(_seq)
    return SettlementCompleted(
        setl_id=f"SETL{n}", mdtrt_id=f"MD{n}", medins_setl_id=f"MS{n}", psn_no=f"P{n}", fixmedins_code=code,
        admdvs=admdvs, insutype="390", med_type=med_type, year=year, begntime=when, setl_time=when,
        medfee_sumamt=fund_paid, inscp_scp_amt=fund_paid, act_pay_dedc="0", hifp_pay=fund_paid, hifmi_pay="0",
        maf_pay="0", fund_pay_sumamt=fund_paid, acct_pay="0", psn_cash_pay="0",
        funds=[{"fund_pay_type": fund_pay_type, "fund_payamt": fund_paid}], pack_id="500240-390-2026-01-01",
        pack_version="1")


def coverage(admdvs: str, year: int, psn_no: str) -> CoverageActivated:
    return CoverageActivated(psn_no=psn_no, certno="500240199001011234", admdvs=admdvs, insutype="390", year=year,
                             category="adult", tier="tier2", coverage_from=f"{year}-01-01", coverage_to=f"{year}-12-31",
                             brdy="1990-01-01", gend="1", psn_name="test", trigger="payment",
                             pack_id="500240-390-2026-01-01")


def population(admdvs: str, year: int, eligible: int) -> EligiblePopulationSet:
    return EligiblePopulationSet(admdvs=admdvs, year=year, eligible=eligible, actor="admin")
