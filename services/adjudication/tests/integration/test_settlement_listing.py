"""GET /v1/settlements: the staff's listing, newest first, a page at a time (limit + opaque cursor), filtered by
institution, person and business-date range."""

from __future__ import annotations

import pytest

from medfund_shared.auth import issue_token

pytestmark = pytest.mark.integration

HOSPITAL = "H211302S"


@pytest.fixture
async def three_stays(gateway):
    await gateway.setup_registry()
    psn_no = await gateway.covered("211302", brdy="1976-01-01")
    await gateway.wait_covered(psn_no, "2026-03-01")
    ids = [await gateway.settle_natively(HOSPITAL, psn_no, day, amount)
           for day, amount in (("2026-03-05", "1000.00"), ("2026-04-05", "2000.00"), ("2026-05-05", "3000.00"))]
    return psn_no, ids


async def _list(gateway, **params) -> dict:
    operator = {"Authorization": f"Bearer {issue_token(gateway.settings, 'operator')}"}
    r = await gateway.client.get("/v1/settlements", params=params, headers=operator)
    assert r.status_code == 200, r.text
    return r.json()


async def test_pages_go_newest_first_and_end_without_a_cursor(gateway, three_stays):
    psn_no, (march, april, may) = three_stays
    first = await _list(gateway, psn_no=psn_no, limit=2)
    assert [s["setl_id"] for s in first["settlements"]] == [may, april]
    assert first["settlements"][0]["medfee_sumamt"] == "3000.00"
    assert first["settlements"][0]["setl_date"] == "2026-05-05" and first["settlements"][0]["kind"] == "settlement"
    assert first["settlements"][0]["receipt"].startswith("sha256:")
    second = await _list(gateway, psn_no=psn_no, limit=2, cursor=first["next_cursor"])
    assert [s["setl_id"] for s in second["settlements"]] == [march] and second["next_cursor"] is None


async def test_filters_by_date_range_and_institution(gateway, three_stays):
    psn_no, (march, april, may) = three_stays
    april_only = await _list(gateway, psn_no=psn_no, **{"from": "2026-04-01", "to": "2026-04-30"})
    assert [s["setl_id"] for s in april_only["settlements"]] == [april]
    from_april = await _list(gateway, psn_no=psn_no, **{"from": "2026-04-05"})
    assert [s["setl_id"] for s in from_april["settlements"]] == [may, april]
    here = await _list(gateway, psn_no=psn_no, fixmedins_code=HOSPITAL)
    assert [s["setl_id"] for s in here["settlements"]] == [may, april, march]
    elsewhere = await _list(gateway, psn_no=psn_no, fixmedins_code="H500240P")
    assert elsewhere == {"settlements": [], "next_cursor": None}


async def test_bad_listings_are_refused_and_hospitals_cannot_list(gateway):
    operator = {"Authorization": f"Bearer {issue_token(gateway.settings, 'operator')}"}
    for params, field in (({"cursor": "not-a-cursor"}, "cursor"), ({"from": "2026-05-01", "to": "2026-04-01"}, "from")):
        r = await gateway.client.get("/v1/settlements", params=params, headers=operator)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    r = await gateway.client.get("/v1/settlements", params={"limit": 0}, headers=operator)
    assert r.status_code == 422
    assert (await gateway.client.get("/v1/settlements", headers=gateway.his(HOSPITAL))).status_code == 403
