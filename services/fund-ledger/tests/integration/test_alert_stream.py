"""The alert stream (server-sent events): each stored change once, in order, resumable with Last-Event-ID."""

from __future__ import annotations

import asyncio
import json

import ledger_events as ev
import pytest

pytestmark = pytest.mark.integration
CODE = "H500240051"


async def read_events(ledger, count: int, headers: dict[str, str] | None = None, *, then=None) -> list[dict]:
    """The first ``count`` alert events of a new stream; ``then`` runs once the stream is open."""
    return await read_until(ledger, lambda events: len(events) >= count, headers, then=then)


async def read_until(ledger, done, headers: dict[str, str] | None = None, *, then=None) -> list[dict]:
    """Alert events of a new stream until ``done(events)``."""
    events: list[dict] = []
    async with ledger.client.stream("GET", "/v1/alerts/stream", headers=headers or {}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        if then is not None:
            await then()
        current: dict = {}
        lines = response.aiter_lines()
        while not done(events):
            line = await asyncio.wait_for(anext(lines), timeout=90)
            if not line and "data" in current:
                events.append({"id": int(current["id"]), "event": current["event"], **json.loads(current["data"])})
                current = {}
            elif ": " in line and not line.startswith(":"):
                field, value = line.split(": ", 1)
                current[field] = value
    return events


async def budget(ledger, amount: str) -> None:
    put = await ledger.client.put(f"/v1/institutions/{CODE}/budget", json={"year": 2026, "annual_budget": amount})
    assert put.status_code == 200, put.text


async def three_changes(ledger) -> None:
    """One institution's budget alert fires (85%), is acknowledged, then resolves on a larger budget."""
    await ledger.publish(ev.institution(CODE, "500240", "1000000.00"), ev.at(2026, 1, 1))
    await ledger.publish(ev.settlement("500240", 2026, CODE, "21", "850000.00", ev.at(2026, 4, 1)), ev.at(2026, 4, 1))
    await ledger.wait_applied()
    alert = next(a for a in (await ledger.client.get("/v1/alerts")).json() if a["subject_id"] == CODE)
    ack = await ledger.client.post(f"/v1/alerts/{alert['alert_id']}/ack", json={"note": "watching"})
    assert ack.status_code == 200, ack.text
    await budget(ledger, "2000000.00")


def institution_changes(events: list[dict]) -> list[dict]:
    """The institution's changes (the settlement also raises alerts on its pool, which has no income)."""
    return [e for e in events if e["subject_id"] == CODE]


async def every_change(ledger) -> list[dict]:
    return await read_until(ledger, lambda events: len(institution_changes(events)) == 3, {"Last-Event-ID": "0"})


async def test_a_client_resuming_with_last_event_id_gets_exactly_the_changes_after_it(ledger):
    await three_changes(ledger)
    everything = await every_change(ledger)
    assert [(e["event"], e["rule"], e["state"]) for e in institution_changes(everything)] == [
        ("alert", "institution_budget", "firing"), ("alert", "institution_budget", "acknowledged"),
        ("alert", "institution_budget", "resolved")]
    assert len({e["alert_id"] for e in institution_changes(everything)}) == 1
    assert institution_changes(everything)[0]["messages"] == {  # 850,000 of 1,000,000 paid: 85%, yellow at 80%
        "zh": "已用年度总额 85.00%（阈值 80.00%）", "en": "85.00% of the global budget used (threshold 80.00%)"}
    ids = [e["id"] for e in everything]
    assert ids == sorted(set(ids))

    fired = everything.index(institution_changes(everything)[0])
    resumed = await read_events(ledger, len(everything) - fired - 1, {"Last-Event-ID": str(ids[fired])})
    assert resumed == everything[fired + 1:]
    assert [e["state"] for e in institution_changes(resumed)] == ["acknowledged", "resolved"]


async def test_a_new_client_without_last_event_id_gets_only_changes_made_after_it_connected(ledger):
    await three_changes(ledger)
    latest = (await every_change(ledger))[-1]["id"]

    live = await read_events(ledger, 1, then=lambda: budget(ledger, "900000.00"))
    assert [(e["id"], e["state"], e["severity"], e["measure"]) for e in live] == [
        (latest + 1, "firing", "yellow", "0.9444")]
