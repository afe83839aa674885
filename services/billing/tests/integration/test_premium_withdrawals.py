"""A refund that leaves a person-year's premium unpaid withdraws the cover and the government's money with it,
each as its own event; paying again brings them back once (docs/funding.md). Hand figures, pack 500240:
disabled_moderate in tier 1 owes 140.00, of which medical assistance pays 60% = 84.00 (资助参保) and the person
56.00; the subsidy is 420.00 = central 336.00 + provincial 42.00 + county 42.00."""

from __future__ import annotations

import pytest
from billing_testkit import by_type, record, register, registered

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
