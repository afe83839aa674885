"""The tax-bureau feed against the real database and broker: single records, files, matching."""

from __future__ import annotations

import hashlib

import pytest
from billing_testkit import OFFICE, by_type, record, register, registered

from medfund_billing.api.answer_models import (
    CollectionStatistics,
    PaymentOut,
    Reconciliation,
    RefundOut,
    Resolved,
    SuspensePage,
)
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration


async def test_a_payment_covering_the_premium_is_paid_in_full_with_the_subsidy_split_by_level(billing):
    await register(billing, registered("P1", "500240199001011234"))
    answer = await billing.client.post("/v1/collections", json=record("V1"), headers=billing.headers())
    assert answer.status_code == 201, answer.text
    assert not departures(PaymentOut, answer.json())
    assert answer.json()["psn_no"] == "P1" and answer.json()["match"] == "full"
    events = await billing.events(3)
    [received] = by_type(events, "contribution.received")
    assert (received["match"], received["paid_total"], received["shortfall"], received["credit"]) == \
        ("full", "140.00", "0.00", "0.00")
    [paid] = by_type(events, "premium.paid_in_full")
    assert paid == {"psn_no": "P1", "admdvs": "500240", "insutype": "390", "year": 2026,
                    "paid_at": "2025-11-20T10:15:00+08:00", "tax_voucher_no": "V1", "premium_due": "140.00"}
    [subsidy] = by_type(events, "subsidy.allocated")
    assert subsidy["amount"] == "420.00"
    assert subsidy["shares"] == [{"level": "central", "amount": "336.00"}, {"level": "provincial", "amount": "42.00"},
                                 {"level": "county", "amount": "42.00"}]
    assert len(events) == 3


async def test_a_replay_answers_200_other_content_409_and_invalid_422_naming_the_field(billing):
    first = await billing.client.post("/v1/collections", json=record("V1"), headers=billing.headers())
    replay = await billing.client.post("/v1/collections", json=record("V1", amount="140"), headers=billing.headers())
    assert (first.status_code, replay.status_code) == (201, 200) and replay.json() == first.json()
    assert not departures(PaymentOut, first.json())
    other = await billing.client.post("/v1/collections", json=record("V1", amount="141.00"), headers=billing.headers())
    assert other.status_code == 409 and other.json()["error"]["field"] == "tax_voucher_no"
    bad = await billing.client.post("/v1/collections", json=record("V2", amount="1.005"), headers=billing.headers())
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "too_many_decimals"
    assert bad.json()["error"]["field"] == "amount"
    naive = await billing.client.post("/v1/collections", json=record("V3", paid_at="2025-11-20T10:15:00"),
                                      headers=billing.headers())
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "paid_at"
    foreign = await billing.client.post("/v1/collections", json=record("V4"),
                                        headers=billing.headers(office="TAXOTHER"))
    assert foreign.status_code == 403
    operator = await billing.client.post("/v1/collections", json=record("V5"), headers=billing.headers("operator"))
    assert operator.status_code == 403
    assert await billing.scalar("SELECT count(*) FROM payments") == 1
    assert len(await billing.events(1)) == 1


async def test_a_partial_payment_shows_the_shortfall_and_activates_only_when_the_total_covers_it(billing):
    await register(billing, registered("P1", "500240199001011234"))
    await billing.client.post("/v1/collections", json=record("V1", amount="100.00"), headers=billing.headers())
    first = by_type(await billing.events(1), "contribution.received")
    assert [(r["match"], r["shortfall"]) for r in first] == [("partial", "40.00")]
    assert by_type(await billing.events(1), "premium.paid_in_full") == []
    await billing.client.post("/v1/collections", json=record("V2", amount="40.00"), headers=billing.headers())
    events = await billing.events(4)
    assert [(r["match"], r["paid_total"]) for r in by_type(events, "contribution.received")] == \
        [("partial", "100.00"), ("full", "140.00")]
    assert [p["tax_voucher_no"] for p in by_type(events, "premium.paid_in_full")] == ["V2"]


async def test_an_overpayment_records_a_refundable_credit(billing):
    await register(billing, registered("P1", "500240199001011234"))
    await billing.client.post("/v1/collections", json=record("V1", amount="150.00"), headers=billing.headers())
    events = await billing.events(3)
    [received] = by_type(events, "contribution.received")
    assert (received["match"], received["credit"]) == ("over", "10.00")
    assert len(by_type(events, "premium.paid_in_full")) == 1
    refund = await billing.client.post("/v1/collections/V1/refund", headers=billing.headers("operator"),
                                       json={"reason": "moved to the employee scheme",
                                             "refunded_at": "2026-02-01T09:00:00+08:00"})
    assert refund.status_code == 201, refund.text
    assert not departures(RefundOut, refund.json())
    again = await billing.client.post("/v1/collections/V1/refund", headers=billing.headers("operator"),
                                      json={"reason": "moved to the employee scheme",
                                            "refunded_at": "2026-02-01T09:00:00+08:00"})
    assert again.status_code == 200 and again.json() == refund.json()
    reversal = await billing.client.post("/v1/collections/V1/reversal", headers=billing.headers("operator"),
                                         json={"reason": "x", "reversed_at": "2026-02-02T09:00:00+08:00"})
    assert reversal.status_code == 409 and reversal.json()["error"]["code"] == "already_refund"
    [refunded] = by_type(await billing.events(4), "contribution.refunded")
    assert (refunded["amount"], refunded["psn_no"], refunded["tax_voucher_no"]) == ("150.00", "P1", "V1")
    assert await billing.scalar("SELECT paid_fen FROM premium_accounts WHERE psn_no = 'P1'") == 0


async def test_an_unknown_persons_payment_waits_in_suspense_until_the_person_registers(billing):
    await billing.client.post("/v1/collections", json=record("V1"), headers=billing.headers())
    suspense = (await billing.client.get("/v1/suspense", headers=billing.headers("operator"))).json()
    assert [p["tax_voucher_no"] for p in suspense["items"]] == ["V1"]
    assert not departures(SuspensePage, suspense)
    [received] = by_type(await billing.events(1), "contribution.received")
    assert (received["match"], received["psn_no"]) == ("unmatched", None)
    await register(billing, registered("P1", "500240199001011234"))
    events = await billing.events(4)
    [matched] = by_type(events, "contribution.matched")
    assert (matched["psn_no"], matched["match"], matched["resolved_by"]) == ("P1", "full", "registration")
    assert [p["tax_voucher_no"] for p in by_type(events, "premium.paid_in_full")] == ["V1"]
    assert (await billing.client.get("/v1/suspense", headers=billing.headers("operator"))).json()["items"] == []


async def test_a_retry_after_the_payment_was_matched_gets_the_first_answer(billing):
    """Design rule 9: the retry replays the first answer, not the payment as matching changed it since."""
    first = await billing.client.post("/v1/collections", json=record("V1"), headers=billing.headers())
    assert (first.status_code, first.json()["match"], first.json()["psn_no"]) == (201, "unmatched", None)
    await register(billing, registered("P1", "500240199001011234"))
    [matched] = by_type(await billing.events(4), "contribution.matched")
    assert matched["psn_no"] == "P1"
    retry = await billing.client.post("/v1/collections", json=record("V1"), headers=billing.headers())
    assert (retry.status_code, retry.json()) == (200, first.json())


async def test_an_operator_resolves_a_suspended_payment_to_a_registered_person(billing):
    await register(billing, registered("P1", "500240199001011234"))
    await billing.client.post("/v1/collections", json=record("V1", certno="50024019900101999X"),
                              headers=billing.headers())
    payment_id = (await billing.client.get("/v1/suspense", headers=billing.headers("operator"))).json()["items"][0][
        "payment_id"]
    unknown = await billing.client.post(f"/v1/suspense/{payment_id}/resolve", json={"psn_no": "NOBODY"},
                                        headers=billing.headers("operator"))
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "psn_no"
    resolved = await billing.client.post(f"/v1/suspense/{payment_id}/resolve", json={"psn_no": "P1"},
                                         headers=billing.headers("operator"))
    assert resolved.status_code == 200 and resolved.json()["paid_in_full"] is True
    assert not departures(Resolved, resolved.json())
    again = await billing.client.post(f"/v1/suspense/{payment_id}/resolve", json={"psn_no": "P1"},
                                      headers=billing.headers("operator"))
    assert again.status_code == 409
    events = await billing.events(4)
    assert by_type(events, "contribution.matched")[0]["resolved_by"] == "operator"


async def test_the_government_pays_the_share_of_a_subsidised_person_who_then_owes_nothing(billing):
    await register(billing, registered("P1", "500240199001011234", premium_due="0.00", on_behalf_due="140.00",
                                       category="dibao"))
    events = await billing.events(3)
    [on_behalf] = by_type(events, "contribution.on_behalf_paid")
    assert (on_behalf["amount"], on_behalf["category"]) == ("140.00", "dibao")
    [paid] = by_type(events, "premium.paid_in_full")
    assert (paid["tax_voucher_no"], paid["premium_due"]) == (None, "0.00")
    assert len(by_type(events, "subsidy.allocated")) == 1


async def test_reconciliation_counts_the_tax_offices_local_day(billing):
    late_evening = record("V1", paid_at="2025-11-20T23:30:00+08:00")
    after_midnight = record("V2", paid_at="2025-11-20T16:30:00+00:00")
    for body in (late_evening, after_midnight, record("V3", amount="0.01", paid_at="2025-11-20T00:00:00+08:00")):
        assert (await billing.client.post("/v1/collections", json=body, headers=billing.headers())).status_code == 201
    answer = await billing.client.get(f"/v1/collections/reconciliation?tax_office_code={OFFICE}&date=2025-11-20",
                                      headers=billing.headers())
    assert answer.json()["count"] == 2 and answer.json()["amount"] == "140.01"
    assert not departures(Reconciliation, answer.json())
    statistics = await billing.client.get("/v1/statistics/collection?admdvs=500240&year=2026",
                                          headers=billing.headers("operator"))
    assert statistics.status_code == 200 and not departures(CollectionStatistics, statistics.json())
    assert answer.json()["voucher_digest"] == hashlib.sha256(b"V1\nV3").hexdigest()
    other = await billing.client.get("/v1/collections/reconciliation?tax_office_code=X&date=2025-11-20",
                                     headers=billing.headers())
    assert other.status_code == 403
