"""Billing's use cases against ``FakeUnitOfWork``: what they store, the events they queue, when they commit, and
what they refuse. Expected figures are hand-computed from the packs' documented rates."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from medfund_billing.adapters.file_records import NDJSON
from medfund_billing.app.appropriations import record_appropriation
from medfund_billing.app.arrears import employer_arrears, employer_region
from medfund_billing.app.batches import batch_report, process_batch
from medfund_billing.app.corrections import CorrectPayment, correct_payment
from medfund_billing.app.declarations import DeclaredEmployee, DeclareMonth, declare_month
from medfund_billing.app.enrollment_projection import RefuseCover, RegisterPerson, coverage_refused, person_registered
from medfund_billing.app.record_payment import record_payment
from medfund_billing.app.refusals import coverage_refusals
from medfund_billing.domain.appropriation import Appropriation
from medfund_billing.domain.payment_record import PaymentRecord
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.types.billing import (
    AppropriationRecorded,
    ContributionMatched,
    ContributionReceived,
    ContributionRefunded,
    EmployeeContributionDeclared,
    PremiumPaidInFull,
    PremiumWithdrawn,
    SubsidyAllocated,
    SubsidyWithdrawn,
)
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.refusal import Kind, Refusal

from .fakes import FakeUnitOfWork

PACK_SET = PackSet.load(None)
ZONE = ZoneInfo("Asia/Shanghai")
REGION, PACK = "500240", "500240-390-2026-01-01"
OFFICE = "15002400001"
CERTNO = "500240199001011234"
PAID_AT = datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TIME)


def payment(voucher: str = "V1", amount: str = "380.00", certno: str = CERTNO, insutype: str = "390",
            **extra) -> PaymentRecord:
    return PaymentRecord(tax_voucher_no=voucher, certno=certno, psn_name="张三", insutype=insutype, admdvs=REGION,
                         period_year=2026, amount=Money.from_yuan(amount), paid_at=PAID_AT, tax_office_code=OFFICE,
                         channel="etax", **extra)


def registered(uow: FakeUnitOfWork, premium_due: str = "380.00") -> None:
    """A resident registered for 2026 in region 500240, owing ``premium_due`` (nothing paid on their behalf)."""
    uow.accounts.rows[("P1", 2026)] = {
        "psn_no": "P1", "year": 2026, "certno": CERTNO, "admdvs": REGION, "insutype": "390", "category": "adult",
        "tier": None, "pack_id": PACK, "premium_due_fen": Money.from_yuan(premium_due).fen, "on_behalf_due_fen": 0,
        "on_behalf_paid_fen": 0, "paid_fen": 0, "paid_in_full": False, "coverage_refused_reason": None}


def types(uow: FakeUnitOfWork) -> list[type]:
    return [type(data) for data, _ in uow.events]


async def test_a_payment_in_full_is_stored_matched_and_its_events_committed_once():
    uow = FakeUnitOfWork()
    registered(uow)
    answer, created = await record_payment(payment(), uow, PACK_SET, ZONE)
    assert created and answer["psn_no"] == "P1" and answer["amount"] == "380.00" and answer["match"] == "full"
    assert types(uow) == [ContributionReceived, PremiumPaidInFull, SubsidyAllocated]
    received, subsidy = uow.events[0][0], uow.events[2][0]
    assert received.paid_total == Money.from_yuan("380.00") and received.shortfall == Money.zero()
    assert subsidy.amount == Money.from_yuan("420.00")  # the pack's per-capita subsidy
    assert uow.accounts.rows[("P1", 2026)]["paid_in_full"] and uow.commits == 1


async def test_a_replayed_payment_gets_its_first_answer_and_changes_nothing():
    uow = FakeUnitOfWork()
    registered(uow)
    first, _ = await record_payment(payment(), uow, PACK_SET, ZONE)
    again, created = await record_payment(payment(), uow, PACK_SET, ZONE)
    assert not created and again == first
    assert len(uow.events) == 3 and uow.commits == 1 and len(uow.payments.rows) == 1


async def test_the_same_voucher_with_other_content_is_refused_and_changes_nothing():
    uow = FakeUnitOfWork()
    registered(uow)
    await record_payment(payment(), uow, PACK_SET, ZONE)
    with pytest.raises(Refusal) as refused:
        await record_payment(payment(amount="100.00"), uow, PACK_SET, ZONE)
    assert refused.value.code == "idempotency_key_reused" and refused.value.kind is Kind.CONFLICT
    assert len(uow.events) == 3 and uow.commits == 1


async def test_a_flexible_workers_month_of_no_registered_member_is_refused_and_nothing_is_stored():
    uow = FakeUnitOfWork()
    record = payment("V9", amount="100.00", insutype="310", period="2026-03", base=Money.from_yuan("4000.00"))
    with pytest.raises(Refusal) as refused:
        await record_payment(record, uow, PACK_SET, ZONE)
    assert (refused.value.code, refused.value.field, refused.value.kind) == ("not_registered", "certno", Kind.INVALID)
    assert uow.payments.rows == {} and uow.events == [] and uow.commits == 0


async def test_a_payment_before_registration_waits_in_suspense_and_is_matched_by_the_registration():
    uow = FakeUnitOfWork()
    answer, _ = await record_payment(payment(amount="200.00"), uow, PACK_SET, ZONE)
    assert answer["psn_no"] is None and answer["match"] == "unmatched"
    person = PersonRegistered(
        psn_no="P1", certno=CERTNO, psn_name="张三", gend="1", brdy=date(1990, 1, 1), admdvs=REGION, insutype="390",
        year=2026, household_id="H1", category="adult", tier=None, enrollment_kind="new",
        premium_due=Money.from_yuan("380.00"), on_behalf_due=Money.zero(), pack_id=PACK)
    await person_registered(RegisterPerson(person, PAID_AT + timedelta(days=1)), uow, PACK_SET)
    matched = uow.events[-1][0]
    assert isinstance(matched, ContributionMatched) and matched.resolved_by == "registration"
    assert matched.shortfall == Money.from_yuan("180.00")
    assert uow.accounts.rows[("P1", 2026)]["paid_fen"] == 20_000 and uow.commits == 2


async def test_a_refund_withdraws_the_premium_and_the_subsidy_and_is_answered_again_unchanged():
    uow = FakeUnitOfWork()
    registered(uow)
    await record_payment(payment(), uow, PACK_SET, ZONE)
    refund = CorrectPayment("refund", "V1", "moved to the employee scheme", PAID_AT + timedelta(days=30))
    answer, created = await correct_payment(refund, uow, ZONE)
    assert created and answer["amount"] == "380.00" and answer["kind"] == "refund"
    assert types(uow)[3:] == [ContributionRefunded, SubsidyWithdrawn, PremiumWithdrawn]
    assert uow.events[-1][0].since == date(2026, 4, 1)  # the refund's local day
    again, created = await correct_payment(refund, uow, ZONE)
    assert not created and again == answer and uow.commits == 2


async def test_a_second_correction_another_offices_voucher_and_an_unknown_voucher_are_refused():
    uow = FakeUnitOfWork()
    registered(uow)
    await record_payment(payment(), uow, PACK_SET, ZONE)
    at = PAID_AT + timedelta(days=30)
    await correct_payment(CorrectPayment("refund", "V1", "moved", at), uow, ZONE)
    cases = [(CorrectPayment("reversal", "V1", "error", at), None, "already_refund", Kind.CONFLICT),
             (CorrectPayment("refund", "V1", "moved", at), "15002409999", "forbidden", Kind.FORBIDDEN),
             (CorrectPayment("refund", "NOPE", "moved", at), None, "not_found", Kind.NOT_FOUND)]
    for command, office, code, kind in cases:
        with pytest.raises(Refusal) as refused:
            await correct_payment(command, uow, ZONE, restrict_to_office=office)
        assert (refused.value.code, refused.value.kind) == (code, kind)
    assert uow.commits == 2


async def test_a_refusal_of_cover_lists_the_payment_as_refundable():
    uow = FakeUnitOfWork()
    registered(uow)
    await record_payment(payment(), uow, PACK_SET, ZONE)
    await coverage_refused(RefuseCover("P1", 2026, "390", "paid_after_year_end", "too late", PAID_AT), uow)
    page = await coverage_refusals(uow, 10, None)
    (item,) = page["items"]
    assert item["refundable"] == "380.00" and item["payments"][0]["refundable"] and page["next_cursor"] is None
    with pytest.raises(Refusal) as refused:
        await coverage_refusals(uow, 10, "no-year")
    assert (refused.value.code, refused.value.field) == ("invalid", "cursor")


def employee_member(uow: FakeUnitOfWork, kind: str = "in_service") -> None:
    uow.employees.members.append({
        "psn_no": "E1", "year": 2026, "certno": "321100199001011234", "admdvs": "321100", "gend": "1",
        "brdy": date(1990, 1, 1), "kind": kind, "employer_code": "EMP1", "monthly_pension_fen": None,
        "terminated_on": None})


def declaration(wage: str = "6000.00", retired: bool = False) -> DeclareMonth:
    employee = DeclaredEmployee("321100199001011234", "E1", date(1990, 1, 1), retired, Money.from_yuan(wage), None)
    return DeclareMonth("EMP1", "321100", "2026-03", [employee])


async def test_a_declared_month_splits_the_contribution_and_a_resent_one_changes_nothing():
    uow = FakeUnitOfWork()
    employee_member(uow)
    lines, new = await declare_month(declaration(), uow, PACK_SET, ZONE)
    # base 6000.00 (between 60% and 300% of the 72000.00 / 12 average): employer 9%, employee 2%
    (line,) = lines
    assert new and (line["employer_amount"], line["employee_amount"], line["late_fee"]) == ("540.00", "120.00", "0.00")
    assert Money.from_yuan(line["pool_amount"]) + Money.from_yuan(line["account_amount"]) == Money.from_yuan("660.00")
    assert types(uow) == [EmployeeContributionDeclared]
    again, new = await declare_month(declaration(), uow, PACK_SET, ZONE)
    assert not new and again == lines and len(uow.events) == 1


async def test_a_declaration_with_other_figures_or_for_a_flexible_worker_is_refused():
    uow = FakeUnitOfWork()
    employee_member(uow)
    await declare_month(declaration(), uow, PACK_SET, ZONE)
    with pytest.raises(Refusal) as refused:
        await declare_month(declaration("7000.00"), uow, PACK_SET, ZONE)
    assert (refused.value.code, refused.value.field, refused.value.kind) == ("conflict", "employees.0", Kind.CONFLICT)
    flexible = FakeUnitOfWork()
    employee_member(flexible, "flexible")
    with pytest.raises(Refusal) as refused:
        await declare_month(declaration(), flexible, PACK_SET, ZONE)
    assert (refused.value.code, refused.value.field) == ("kind_mismatch", "employees.0.psn_no")
    assert flexible.employees.months == [] and flexible.events == []


async def test_arrears_are_the_undeclared_months_up_to_the_regions_latest_estimated_from_the_month_before():
    uow = FakeUnitOfWork()
    for employer, period, fen in (("EMP1", "2026-01", 66_000), ("EMP1", "2026-03", 70_000), ("EMP2", "2026-05", 1)):
        uow.employees.months.append({"employer_code": employer, "period": period, "admdvs": "321100",
                                     "employer_fen": fen, "employee_fen": 0})
    assert await employer_region(uow, "EMP1") == "321100"
    arrears = await employer_arrears(uow, "EMP1", "321100")
    assert [(m["period"], m["amount"]) for m in arrears["months"]] == [
        ("2026-02", "660.00"), ("2026-04", "700.00"), ("2026-05", "700.00")]
    assert arrears["estimated_total"] == "2060.00" and arrears["region_latest_period"] == "2026-05"
    with pytest.raises(Refusal) as refused:
        await employer_region(uow, "NOBODY")
    assert refused.value.kind is Kind.NOT_FOUND


async def test_an_appropriation_is_recorded_once_replayed_unchanged_and_refused_with_other_content():
    uow = FakeUnitOfWork()
    item = Appropriation("A1", REGION, "610100", 2026, Money.from_yuan("1000000.00"), PAID_AT, "civil_affairs", "C1")
    answer, created = await record_appropriation(item, uow, PACK_SET)
    assert created and answer["amount"] == "1000000.00" and types(uow) == [AppropriationRecorded]
    again, created = await record_appropriation(item, uow, PACK_SET)
    assert not created and again == answer and uow.commits == 1
    other = Appropriation("A1", REGION, "610100", 2026, Money.from_yuan("1.00"), PAID_AT, "civil_affairs", "C1")
    with pytest.raises(Refusal) as refused:
        await record_appropriation(other, uow, PACK_SET)
    assert (refused.value.code, refused.value.kind) == ("conflict", Kind.CONFLICT)
    nowhere = Appropriation("A2", "999999", "610100", 2026, Money.from_yuan("1.00"), PAID_AT, "civil_affairs", "C2")
    with pytest.raises(Refusal) as refused:
        await record_appropriation(nowhere, uow, PACK_SET)
    assert refused.value.code == "no_policy_pack" and len(uow.events) == 1


class HeldInMemory:
    """The batch's lease as ``process_batch`` holds it: fenced on every chunk, released once at the end."""

    batch_id = "B1"

    def __init__(self) -> None:
        self.fences, self.released = 0, None

    async def fence(self, uow: FakeUnitOfWork) -> None:
        self.fences += 1

    async def release(self, uow: FakeUnitOfWork, status: str) -> None:
        self.released = status


def ndjson_line(voucher: str, office: str = OFFICE) -> bytes:
    return json.dumps({"tax_voucher_no": voucher, "certno": CERTNO, "psn_name": "张三", "insutype": "390",
                       "admdvs": REGION, "period_year": 2026, "amount": "380.00", "paid_at": PAID_AT.isoformat(),
                       "tax_office_code": office, "channel": "etax"}, ensure_ascii=False).encode()


async def test_a_tax_file_is_applied_chunk_by_chunk_its_bad_lines_reported_and_the_batch_released_done():
    uow = FakeUnitOfWork()
    registered(uow)
    uow.batches.batches["B1"] = {"batch_id": "B1", "format": NDJSON, "csv_header": None, "tax_office_code": OFFICE,
                                 "status": "processing", "last_line": 0}
    uow.batches.records["B1"] = {1: ndjson_line("V1"), 2: b"{not json", 3: ndjson_line("V2", "15002409999"),
                                 4: ndjson_line("V1")}
    held = HeldInMemory()
    await process_batch(held, lambda: uow, PACK_SET, ZONE, chunk_lines=2)
    batch = uow.batches.batches["B1"]
    assert (batch["received"], batch["accepted"], batch["duplicates"], batch["rejected"]) == (4, 1, 1, 2)
    report = await batch_report(uow, "B1", OFFICE)
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [(2, "malformed"), (3, "forbidden_tax_office")]
    assert held.released == "done" and held.fences == 3 and uow.commits == 3 and "B1" not in uow.batches.records
    assert types(uow) == [ContributionReceived, PremiumPaidInFull, SubsidyAllocated]
    with pytest.raises(Refusal) as refused:
        await batch_report(uow, "B1", "15002409999")
    assert refused.value.kind is Kind.NOT_FOUND
