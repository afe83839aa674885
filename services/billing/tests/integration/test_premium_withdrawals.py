"""A refund that leaves a person-year's premium unpaid withdraws the cover and the government's money with it,
each as its own event; paying again brings them back once; a flexible worker's month refunded is unpaid again
(docs/funding.md). Hand figures, pack 500240:
disabled_moderate in tier 1 owes 140.00, of which medical assistance pays 60% = 84.00 (资助参保) and the person
56.00; the subsidy is 420.00 = central 336.00 + provincial 42.00 + county 42.00."""

from __future__ import annotations

from datetime import date

import pytest
from billing_testkit import by_type, employee_registered, record, register, register_employee, registered
from test_employee_scheme import flexible_payment

from medfund_billing.api.answer_models import ReversalOut
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration
ACCOUNT = "SELECT (paid_fen, on_behalf_paid_fen, paid_in_full)::text FROM premium_accounts WHERE psn_no = 'P1'"
SUBSIDY_SHARES = [{"level": "central", "amount": "336.00"}, {"level": "provincial", "amount": "42.00"},
                  {"level": "county", "amount": "42.00"}]


async def _sponsored_and_paid(billing) -> None:
    await register(billing, registered("P1", "500240199001011234", premium_due="56.00", on_behalf_due="84.00",
                                       category="disabled_moderate"))
    paid = await billing.client.post("/v1/collections", json=record("V1", amount="56.00"), headers=billing.headers())
    assert paid.status_code == 201, paid.text


async def test_a_refund_that_leaves_the_premium_unpaid_withdraws_cover_subsidy_and_sponsorship_and_repaying_restores(
        billing):
    await _sponsored_and_paid(billing)
    refund = await billing.client.post("/v1/collections/V1/refund", headers=billing.headers("operator"),
                                       json={"reason": "paid twice by mistake",
                                             "refunded_at": "2026-03-01T00:30:00+08:00"})
    assert refund.status_code == 201, refund.text
    events = await billing.events(8)
    [allocated] = by_type(events, "subsidy.allocated")
    [sponsored] = by_type(events, "contribution.on_behalf_paid")
    [subsidy_back] = by_type(events, "subsidy.withdrawn")
    assert (subsidy_back["subsidy_id"], subsidy_back["amount"], subsidy_back["shares"], subsidy_back["correction_id"]) \
        == (allocated["subsidy_id"], "420.00", SUBSIDY_SHARES, refund.json()["refund_id"])
    [sponsorship_back] = by_type(events, "contribution.on_behalf_withdrawn")
    assert (sponsorship_back["payment_id"], sponsorship_back["amount"], sponsorship_back["payer"],
            sponsorship_back["category"]) == (sponsored["payment_id"], "84.00", "medical_assistance",
                                              "disabled_moderate")
    [withdrawn] = by_type(events, "premium.withdrawn")
    assert (withdrawn["since"], withdrawn["kind"], withdrawn["tax_voucher_no"], withdrawn["premium_due"],
            withdrawn["paid_total"]) == ("2026-03-01", "refund", "V1", "56.00", "0.00"), \
        "00:30 in Beijing is 1 March though still 28 February in UTC"
    assert [e.type.split(".", 2)[2] for e in events[-4:]] == [
        "contribution.refunded.v1", "subsidy.withdrawn.v1", "contribution.on_behalf_withdrawn.v1",
        "premium.withdrawn.v1"]
    assert await billing.scalar(ACCOUNT) == "(0,0,f)"

    again = await billing.client.post("/v1/collections/V1/refund", headers=billing.headers("operator"),
                                      json={"reason": "paid twice by mistake",
                                            "refunded_at": "2026-03-01T00:30:00+08:00"})
    assert again.status_code == 200 and again.json() == refund.json()

    repaid = await billing.client.post("/v1/collections", headers=billing.headers(),
                                       json=record("V2", amount="56.00", paid_at="2026-04-02T10:00:00+08:00"))
    assert repaid.status_code == 201, repaid.text
    events = await billing.events(12)
    assert len(events) == 12, "the repeated refund added nothing"
    assert [(p["tax_voucher_no"], p["paid_at"]) for p in by_type(events, "premium.paid_in_full")] == [
        ("V1", "2025-11-20T10:15:00+08:00"), ("V2", "2026-04-02T10:00:00+08:00")]
    assert [(s["amount"], s["shares"]) for s in by_type(events, "subsidy.allocated")] == [
        ("420.00", SUBSIDY_SHARES), ("420.00", SUBSIDY_SHARES)]
    assert [(s["amount"], s["payer"]) for s in by_type(events, "contribution.on_behalf_paid")] == [
        ("84.00", "medical_assistance"), ("84.00", "medical_assistance")]
    assert await billing.scalar(ACCOUNT) == "(5600,8400,t)"
    assert await billing.scalar("SELECT count(*) FROM subsidies WHERE withdrawn_at IS NULL") == 1
    assert await billing.scalar("SELECT count(*) FROM on_behalf_payments WHERE withdrawn_at IS NULL") == 1


async def test_a_refund_of_an_overpayment_leaves_cover_and_government_money_alone(billing):
    await _sponsored_and_paid(billing)
    extra = await billing.client.post("/v1/collections", json=record("V2", amount="10.00"), headers=billing.headers())
    assert extra.status_code == 201, extra.text
    refund = await billing.client.post("/v1/collections/V2/reversal", headers=billing.headers("operator"),
                                       json={"reason": "accepted twice", "reversed_at": "2026-03-01T09:00:00+08:00"})
    assert refund.status_code == 201, refund.text
    events = await billing.events(6)
    assert len(events) == 6 and not by_type(events, "premium.withdrawn") and not by_type(events, "subsidy.withdrawn")
    assert await billing.scalar(ACCOUNT) == "(5600,8400,t)"


async def test_a_refunded_flexible_workers_month_is_withdrawn_as_the_mirror_of_the_month_and_may_be_paid_again(
        billing):
    """321100: 11% of a 5,000.00 base = 550.00, all personal; the account gets 4% = 200.00, the pool 350.00."""
    await register_employee(billing, employee_registered("F9", "321100199001010056", date(1990, 1, 1), "flexible"))
    paid = await billing.client.post("/v1/collections", json=flexible_payment("FW1", "550.00"),
                                     headers=billing.headers())
    assert paid.status_code == 201, paid.text
    reversal = await billing.client.post("/v1/collections/FW1/reversal", headers=billing.headers("operator"),
                                         json={"reason": "paid for the wrong month",
                                               "reversed_at": "2026-03-25T09:00:00+08:00"})
    assert reversal.status_code == 201, reversal.text
    assert not departures(ReversalOut, reversal.json())
    again = await billing.client.post("/v1/collections", json=flexible_payment("FW2", "550.00"),
                                      headers=billing.headers())
    assert again.status_code == 201, again.text
    events = await billing.events(3)
    [declared, redeclared] = by_type(events, "employee.contribution_declared")
    [withdrawn] = by_type(events, "employee.contribution_withdrawn")
    assert {k: withdrawn[k] for k in ("declaration_id", "kind", "tax_voucher_no", "period", "psn_no",
                                      "employee_amount", "pool_amount", "account_amount", "late_fee", "since")} == {
        "declaration_id": declared["declaration_id"], "kind": "reversal", "tax_voucher_no": "FW1",
        "period": "2026-03", "psn_no": "F9", "employee_amount": "550.00", "pool_amount": "350.00",
        "account_amount": "200.00", "late_fee": "0.00", "since": "2026-03-25"}
    assert redeclared["tax_voucher_no"] == "FW2" and len(events) == 3
    assert not by_type(events, "contribution.reversed"), "a month books no contribution.received to mirror"
    assert await billing.scalar("SELECT count(*) FROM employee_declarations WHERE withdrawn_at IS NULL") == 1
