"""Adjudication's coverage projection (``app/coverage_projection.py``) against ``FakeUnitOfWork``: enrollment's and
billing's events, as the shared models carry them, kept as cover, cards, employment and account balances."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from medfund_adjudication.app import coverage_projection as projection
from medfund_adjudication.domain.coverage import SUSPENDED, TERMINATED, CategoryChange
from medfund_shared.events.types import billing, enrollment
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

from .fakes import FakeUnitOfWork

ACTIVATED = enrollment.CoverageActivated(
    psn_no="P1", certno="110101197601011234", admdvs="211302", insutype="390", year=2026,
    category="adult", tier="", coverage_from=date(2026, 2, 1), coverage_to=date(2026, 12, 31),
    brdy=date(1976, 1, 1), gend="1", psn_name="张三", trigger="payment",
    pack_id="211302-390")


def _registered(**overrides) -> enrollment.PersonRegistered:
    fields = dict(psn_no="P2", certno="110101196001011234", psn_name="李四", gend="1", brdy=date(1960, 1, 1),
                  admdvs="321100", insutype="310", year=2026, household_id="H2", category="employee", tier=None,
                  enrollment_kind="new", premium_due="0.00", on_behalf_due="0.00", pack_id="321100-310")
    return enrollment.PersonRegistered(**(fields | overrides))


def _declared(account_amount: str, period: str = "2026-03") -> billing.EmployeeContributionDeclared:
    return billing.EmployeeContributionDeclared(
        declaration_id="D1", employer_code="E1", admdvs="321100", period=period, psn_no="P2",
        certno="110101196001011234", base="5000.00", employer_amount="400.00", employee_amount="100.00",
        pool_amount="350.00", account_amount=account_amount, declared_at=datetime(2026, 3, 10, tzinfo=UTC))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(PackSet.load())


async def _activate(uow: FakeUnitOfWork) -> None:
    await projection.activate_coverage(projection.ActivateCoverage(ACTIVATED), uow)


async def test_an_activation_stores_the_cover_with_an_empty_tier_as_none(uow):
    await _activate(uow)
    cover = uow.coverage.covers[("P1", "390", 2026)]
    assert (cover.category, cover.tier, cover.coverage_from, cover.pack_id) == ("adult", None, date(2026, 2, 1),
                                                                                 "211302-390")
    assert uow.commits == 1


async def test_a_category_change_after_the_activation_holds_from_its_business_date(uow):
    await _activate(uow)
    change = enrollment.CategoryChanged(psn_no="P1", year=2026, category="student", tier="tier1", premium_due="0.00",
                                        on_behalf_due="0.00", reason="school", actor="clerk")
    await projection.change_category(projection.ChangeCategory(change, date(2026, 5, 1)), uow)
    assert uow.coverage.covers[("P1", "390", 2026)].category_changes == (
        CategoryChange(date(2026, 5, 1), "student", "tier1"),)


async def test_a_category_change_before_any_cover_is_skipped(uow):
    change = enrollment.CategoryChanged(psn_no="P1", year=2026, category="student", tier=None, premium_due="0.00",
                                        on_behalf_due="0.00", reason="school", actor="clerk")
    await projection.change_category(projection.ChangeCategory(change, date(2026, 5, 1)), uow)
    assert uow.coverage.covers == {}


async def test_suspension_reinstatement_and_termination_change_the_status_on_their_days(uow):
    await _activate(uow)
    suspended = enrollment.CoverageSuspended(
        psn_no="P1", insutype="390", year=2026, since=date(2026, 4, 1), reason="other",
        actor="clerk")
    await projection.change_cover_status(projection.ChangeCoverStatus(suspended, suspended.event_type), uow)
    assert uow.coverage.covers[("P1", "390", 2026)].status_on(date(2026, 4, 2)) == SUSPENDED
    reinstated = enrollment.CoverageReinstated(
        psn_no="P1", insutype="390", year=2026, since=date(2026, 6, 1), actor="clerk")
    await projection.change_cover_status(projection.ChangeCoverStatus(reinstated, reinstated.event_type), uow)
    terminated = enrollment.CoverageTerminated(
        psn_no="P1", insutype="390", year=2026, on=date(2026, 9, 1), reason="death",
        actor="clerk")
    await projection.change_cover_status(projection.ChangeCoverStatus(terminated, terminated.event_type), uow)
    cover = uow.coverage.covers[("P1", "390", 2026)]
    assert cover.status_on(date(2026, 6, 1)) != SUSPENDED
    assert cover.status_on(date(2026, 9, 2)) == TERMINATED


async def test_a_status_change_before_the_activation_is_refused_for_the_dead_letters(uow):
    suspended = enrollment.CoverageSuspended(
        psn_no="P1", insutype="390", year=2026, since=date(2026, 4, 1), reason="other",
        actor="clerk")
    with pytest.raises(LookupError, match="before its coverage.activated"):
        await projection.change_cover_status(projection.ChangeCoverStatus(suspended, suspended.event_type), uow)
    assert uow.coverage.covers == {}


async def test_a_registration_records_the_card_and_a_retired_employee(uow):
    registered = _registered(ssc_no="SSC0002", employee_kind="retired")
    await projection.register_person(projection.RegisterPerson(registered, date(2026, 3, 5)), uow)
    assert uow.coverage.cards == {"P2": "SSC0002"}
    assert await uow.coverage.retired("P2")
    assert uow.coverage.employment_periods == {"P2": "2026-03"}


async def test_a_resident_registration_records_no_employment(uow):
    registered = _registered(insutype="390", employee_kind=None)
    await projection.register_person(projection.RegisterPerson(registered, date(2026, 3, 5)), uow)
    assert uow.coverage.cards == {} and uow.coverage.employment_periods == {}


async def test_a_retiree_credit_is_added_once_per_event_and_marks_the_person_retired(uow):
    credit = billing.EmployeeAccountCredited(
        credit_id="C1", psn_no="P2", admdvs="321100", period="2026-03", amount="123.45",
        source="retiree_pension", credited_at=datetime(2026, 3, 1, tzinfo=UTC))
    command = projection.CreditRetireeAccount(credit, "event:e1")
    await projection.credit_retiree_account(command, uow)
    await projection.credit_retiree_account(command, uow)
    assert await uow.coverage.balance("P2") == Money.from_yuan("123.45")
    assert await uow.coverage.retired("P2")


async def test_a_declared_contribution_credits_the_account_and_says_in_service_unless_older(uow):
    uow.coverage.retirees.add("P2")
    uow.coverage.employment_periods["P2"] = "2026-02"
    await projection.declare_contribution(projection.DeclareContribution(_declared("80.00"), "event:e2"), uow)
    assert await uow.coverage.balance("P2") == Money.from_yuan("80.00")
    assert not await uow.coverage.retired("P2")
    await projection.register_person(projection.RegisterPerson(_registered(employee_kind="retired"),
                                                               date(2026, 1, 5)), uow)
    assert not await uow.coverage.retired("P2")


async def test_a_declaration_without_an_account_share_credits_nothing(uow):
    await projection.declare_contribution(projection.DeclareContribution(_declared("0.00"), "event:e3"), uow)
    assert await uow.coverage.balance("P2") is None
    assert uow.coverage.credits == {}


async def test_a_withdrawn_month_takes_its_account_credit_back_even_below_zero(uow):
    withdrawn = billing.EmployeeContributionWithdrawn(
        withdrawal_id="W1", declaration_id="D1", correction_id="K1", kind="refund", tax_voucher_no="T1",
        admdvs="321100", period="2026-03", psn_no="P2", certno="110101196001011234", employee_amount="100.00",
        pool_amount="350.00", account_amount="80.00", withdrawn_at=datetime(2026, 4, 1, tzinfo=UTC),
        since=date(2026, 4, 1))
    await projection.withdraw_contribution(projection.WithdrawContribution(withdrawn, "event:e4"), uow)
    assert await uow.coverage.balance("P2") == Money.from_yuan("-80.00")
