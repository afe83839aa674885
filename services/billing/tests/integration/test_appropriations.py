"""POST /v1/appropriations against a real database and topic: stored once with its event, replays, conflicts,
clear refusals that change nothing, staff roles only."""

from __future__ import annotations

import pytest
from billing_testkit import by_type

from medfund_billing.api.answer_models import AppropriationOut
from medfund_shared.openapi import departures

pytestmark = pytest.mark.integration

CIVIL_AFFAIRS = {"appropriation_id": "MA-500240-2026-01", "admdvs": "500240", "fund_pay_type": "610100",
                 "year": 2026, "amount": "3000000.00", "received_at": "2026-01-15T10:00:00+08:00",
                 "source": "civil_affairs", "voucher_no": "MZ2026-001"}
STORED = "SELECT count(*) FROM appropriations"
QUEUED = "SELECT count(*) FROM outbox WHERE type = 'medfund.billing.appropriation.recorded.v1'"


async def test_an_appropriation_is_stored_once_with_its_event_and_a_replay_returns_it(billing):
    staff = billing.headers("operator")
    created = await billing.client.post("/v1/appropriations", json=CIVIL_AFFAIRS, headers=staff)
    assert created.status_code == 201, created.text
    assert not departures(AppropriationOut, created.json())
    assert created.json() == CIVIL_AFFAIRS | {"received_at": "2026-01-15T02:00:00+00:00"}
    same_meaning = CIVIL_AFFAIRS | {"amount": "3000000", "received_at": "2026-01-15T02:00:00+00:00"}
    replay = await billing.client.post("/v1/appropriations", json=same_meaning, headers=staff)
    assert (replay.status_code, replay.json()) == (200, created.json())
    other = await billing.client.post("/v1/appropriations", json=CIVIL_AFFAIRS | {"amount": "3000000.01"},
                                      headers=billing.headers("admin"))
    assert other.status_code == 409 and other.json()["error"]["field"] == "appropriation_id"
    assert (await billing.scalar(STORED), await billing.scalar(QUEUED)) == (1, 1)

    events = await billing.events(1)
    [data] = by_type(events, "appropriation.recorded")
    assert data == CIVIL_AFFAIRS | {"received_at": "2026-01-15T10:00:00+08:00"}
    [event] = [e for e in events if e.type.endswith("appropriation.recorded.v1")]
    assert event.effectivetime.isoformat() == "2026-01-15T10:00:00+08:00"


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"fund_pay_type": "390100"}, "invalid", "fund_pay_type"),
    ({"amount": "0.00"}, "not_positive", "amount"),
    ({"amount": "-5.00"}, "not_positive", "amount"),
    ({"amount": 1500}, "invalid", "amount"),
    ({"amount": "10.001"}, "too_many_decimals", "amount"),
    ({"year": 9999}, "out_of_range", "year"),
    ({"year": "2026"}, "invalid", "year"),
    ({"year": 2025}, "no_policy_pack", "admdvs"),
    ({"admdvs": "110101"}, "no_policy_pack", "admdvs"),
    ({"admdvs": "5002"}, "invalid", "admdvs"),
    ({"received_at": "2026-01-15T10:00:00"}, "missing_offset", "received_at"),
    ({"received_at": "yesterday"}, "invalid", "received_at"),
    ({"source": "lottery"}, "invalid", "source"),
    ({"voucher_no": ""}, "missing", "voucher_no"),
    ({"appropriation_id": None}, "missing", "appropriation_id"),
])
async def test_a_bad_field_is_refused_with_its_code_and_nothing_is_written(billing, change, code, field):
    answer = await billing.client.post("/v1/appropriations", json=CIVIL_AFFAIRS | change,
                                       headers=billing.headers("admin"))
    assert answer.status_code == 422, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["field"]) == (code, field)
    assert (await billing.scalar(STORED), await billing.scalar(QUEUED)) == (0, 0)


async def test_only_staff_record_appropriations_and_a_body_that_is_no_object_is_refused(billing):
    assert (await billing.client.post("/v1/appropriations", json=CIVIL_AFFAIRS,
                                      headers=billing.headers("tax"))).status_code == 403
    assert (await billing.client.post("/v1/appropriations", json=CIVIL_AFFAIRS)).status_code == 401
    listed = await billing.client.post("/v1/appropriations", json=[CIVIL_AFFAIRS], headers=billing.headers("admin"))
    assert (listed.status_code, listed.json()["error"]["code"]) == (422, "malformed")
    assert await billing.scalar(STORED) == 0
