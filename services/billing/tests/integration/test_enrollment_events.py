"""Enrollment's later events about a person-year, produced onto the real enrollment topic."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from billing_testkit import by_type, record, register, registered

from medfund_billing.api.answer_models import CoverageRefusalPage
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.types.enrollment import CategoryChanged, CoverageRefused, CoverageTerminated
from medfund_shared.money import Money
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
CHANGED_AT = datetime(2026, 1, 10, 9, 0, tzinfo=CHINA_TIME)
APPLIED = "SELECT count(*) FROM processed_events WHERE consumer = 'billing-enrollment'"
DEAD = "SELECT count(*) FROM dead_letters"


def category_changed(category: str, premium_due: str, on_behalf_due: str) -> CategoryChanged:
    return CategoryChanged(psn_no="P1", year=2026, category=category, tier="tier1",
                           premium_due=Money.from_yuan(premium_due), on_behalf_due=Money.from_yuan(on_behalf_due),
                           reason="civil affairs certificate", actor="operator1")


async def test_a_change_to_a_fully_subsidised_category_books_the_governments_share_and_completes_the_premium(
        billing):
    await register(billing, registered("P1", "500240199001011234"))
    await billing.publish(category_changed("dibao", "0.00", "140.00"), CHANGED_AT)
    events = await billing.events(3)
    [on_behalf] = by_type(events, "contribution.on_behalf_paid")
    assert (on_behalf["amount"], on_behalf["category"], on_behalf["paid_at"], on_behalf["payer"]) == (
        "140.00", "dibao", "2026-01-10T09:00:00+08:00", "medical_assistance")
    assert await billing.scalar("SELECT payer FROM on_behalf_payments") == "medical_assistance"
    [paid] = by_type(events, "premium.paid_in_full")
    assert (paid["tax_voucher_no"], paid["premium_due"], paid["paid_at"]) == (None, "0.00", "2026-01-10T09:00:00+08:00")
    assert len(by_type(events, "subsidy.allocated")) == 1 and len(events) == 3
    assert await billing.scalar("SELECT category FROM premium_accounts WHERE psn_no = 'P1'") == "dibao"


async def test_a_partial_payer_whose_new_category_owes_less_is_paid_in_full_once_and_a_repeat_changes_nothing(
        billing):
    await register(billing, registered("P1", "500240199001011234"))
    await billing.client.post("/v1/collections", json=record("V1", amount="100.00"), headers=billing.headers())
    await billing.publish(category_changed("low_income", "60.00", "80.00"), CHANGED_AT)
    events = await billing.events(4)
    assert [r["match"] for r in by_type(events, "contribution.received")] == ["partial"]
    assert [(e["amount"], e["payer"]) for e in by_type(events, "contribution.on_behalf_paid")] == [
        ("80.00", "government")]
    assert [(p["premium_due"], p["tax_voucher_no"]) for p in by_type(events, "premium.paid_in_full")] == [
        ("60.00", None)]
    assert len(by_type(events, "subsidy.allocated")) == 1
    account = "SELECT (premium_due_fen, paid_fen, on_behalf_paid_fen, paid_in_full)::text FROM premium_accounts"
    assert await billing.scalar(account) == "(6000,10000,8000,t)"

    await billing.publish(category_changed("low_income", "60.00", "80.00"), CHANGED_AT)
    await billing.wait_for(APPLIED, 3)
    assert len(await billing.events(4)) == 4
    assert await billing.scalar(account) == "(6000,10000,8000,t)"
    assert await billing.scalar(DEAD) == 0


async def test_a_termination_is_recorded_and_one_for_an_unknown_person_is_parked_not_dropped(billing):
    await register(billing, registered("P1", "500240199001011234"))
    for psn_no in ("P1", "NOBODY"):
        await billing.publish(CoverageTerminated(psn_no=psn_no, insutype="390", year=2026, on=date(2026, 3, 1),
                                                 reason="death", actor="operator1"), CHANGED_AT)
    await billing.wait_for(APPLIED, 3)
    assert await billing.scalar("SELECT terminated_on FROM premium_accounts WHERE psn_no = 'P1'") == date(2026, 3, 1)
    assert await billing.scalar("SELECT event_type FROM dead_letters") == CoverageTerminated.event_type


async def test_a_refused_cover_lists_the_years_payments_as_refundable_until_refunded(billing):
    await register(billing, registered("P1", "500240199001011234"))
    for voucher, amount in (("V1", "100.00"), ("V2", "40.00")):
        await billing.client.post("/v1/collections", json=record(voucher, amount=amount), headers=billing.headers())
    await billing.publish(CoverageRefused(
        psn_no="P1", certno="500240199001011234", admdvs="500240", insutype="390", year=2026,
        paid_at=datetime(2025, 11, 20, 10, 15, tzinfo=CHINA_TIME), reason="paid_before_window",
        message="paid before the 2026 collection window opened", trigger="payment", pack_id="500240-390-2026-01-01"),
        CHANGED_AT)
    await billing.wait_for("SELECT coverage_refused_reason FROM premium_accounts", "paid_before_window")

    [refusal] = (await billing.client.get("/v1/coverage-refusals", headers=billing.headers("operator"))).json()["items"]
    assert (refusal["psn_no"], refusal["year"], refusal["reason"], refusal["refundable"]) == (
        "P1", 2026, "paid_before_window", "140.00")
    assert [(p["tax_voucher_no"], p["amount"], p["refundable"]) for p in refusal["payments"]] == [
        ("V1", "100.00", True), ("V2", "40.00", True)]

    refund = await billing.client.post("/v1/collections/V1/refund", headers=billing.headers("operator"),
                                       json={"reason": "cover refused", "refunded_at": "2026-01-12T09:00:00+08:00"})
    assert refund.status_code == 201, refund.text
    page = (await billing.client.get("/v1/coverage-refusals?limit=1", headers=billing.headers("operator"))).json()
    [refusal] = page["items"]
    assert not departures(CoverageRefusalPage, page)
    assert refusal["refundable"] == "40.00" and page["next_cursor"] == "P1:2026"
    assert [(p["tax_voucher_no"], p["corrected_by"]) for p in refusal["payments"]] == [("V1", "refund"), ("V2", None)]
    after = await billing.client.get("/v1/coverage-refusals?cursor=P1:2026", headers=billing.headers("operator"))
    assert after.json() == {"items": [], "next_cursor": None}
    assert (await billing.client.get("/v1/coverage-refusals", headers=billing.headers())).status_code == 403
    assert await billing.scalar(DEAD) == 0
