"""Time from the data, through the public APIs: a registration without a date in one county moves that
county's business clock to today, never another county's.

A dibao member's premium is paid by the government when she registers (billing books it at the
registration date); the ledger's clock of each region follows the money events of that region only. The
module runs on a service set of its own (profile ``isolated``): a clock only moves forward, so a region that
another module of the session already used would not stand on this module's date.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, certno, eventually  # noqa: E402

from medfund_shared.china_time import CHINA_TIME

pytestmark = pytest.mark.e2e
DATED = ("330326", 2019, date(2018, 10, 8))
"""A county whose registration gives its date: its clock stands on that day."""
UNDATED = ("500240", 2026)
"""A county registering without a date: the act happens now."""


@pytest.fixture(scope="module")
def clients(own_clients: Clients) -> Clients:
    """On a service set of its own (see the module's docstring)."""
    return own_clients


async def register_dibao(clients: Clients, admdvs: str, year: int, brdy: date, enrolled_on: date | None,
                         tier: str | None = None) -> None:
    body = {"admdvs": admdvs, "insutype": "390", "year": year, **({"tier": tier} if tier else {}),
            "members": [{"certno": certno(admdvs, brdy, False), "psn_name": "冉秀英", "gend": "2",
                         "brdy": brdy.isoformat(), "category": "dibao"}]}
    if enrolled_on is not None:
        body["enrolled_on"] = enrolled_on.isoformat()
    await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201, json=body)


async def business_time(clients: Clients, pool_id: str) -> datetime | None:
    response = await clients.http.get(f"{clients.ledger}/v1/pools/{pool_id}", headers=clients.auth("operator"))
    if response.status_code != 200:
        return None
    text = response.json()["measures"].get("business_time")
    return datetime.fromisoformat(text) if text else None


async def test_a_registration_without_a_date_leaves_another_regions_clock_alone(clients):
    admdvs, year, enrolled_on = DATED
    dated_pool = f"{admdvs}:390100:{year}"
    await register_dibao(clients, admdvs, year, date(1962, 5, 3), enrolled_on)
    before = await eventually(lambda: business_time(clients, dated_pool), lambda t: t is not None)
    assert before is not None and before.astimezone(CHINA_TIME).date() == enrolled_on

    admdvs, year = UNDATED
    await register_dibao(clients, admdvs, year, date(1964, 8, 17), None, tier="tier1")
    today = datetime.now(CHINA_TIME).date()
    moved = await eventually(lambda: business_time(clients, f"{admdvs}:390100:{year}"),
                             lambda t: t is not None and t.astimezone(CHINA_TIME).date() == today)
    assert moved is not None and moved.astimezone(CHINA_TIME).date() == today, "the act of today moves its own region"
    assert await business_time(clients, dated_pool) == before


async def test_a_payment_for_year_9999_is_refused_and_the_pool_list_stays_up(clients):
    """A year outside 1990-2100 is refused where it enters, naming the field; nothing reaches the ledger."""
    office = "15002400000"
    record = {"tax_voucher_no": "Y9999-1", "certno": certno("500240", date(1970, 3, 4), True), "psn_name": "冉国华",
              "insutype": "390", "admdvs": "500240", "period_year": 9999, "amount": "140.00",
              "paid_at": "2025-11-20T10:15:00+08:00", "tax_office_code": office, "channel": "etax"}
    refused = await clients.call("POST", f"{clients.billing}/v1/collections",
                                 clients.auth("tax", tax_office_code=office), 422, json=record)
    assert (refused["error"]["code"], refused["error"]["field"]) == ("out_of_range", "period_year")
    pools = await clients.call("GET", f"{clients.ledger}/v1/pools", clients.auth("operator"))
    assert all(1990 <= int(p["year"]) <= 2100 for p in pools)
