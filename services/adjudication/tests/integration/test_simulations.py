"""POST /v1/simulations and GET /v1/simulations/{id}: the region's recorded year replayed under a candidate pack
sent as JSON, by a worker process. The shipped pack unchanged gives every difference zero, over everything the
session recorded in region 211302, also when a person's concurrent settlements began in one order and moved the
totals in the other; a lower ratio gives the cost computed by hand below.

By hand (211302 pack, resident aged 50, in county, secondary hospital: inpatient deductible 500.00 per stay,
ratio 0.70; class A lines, no pre-self-pay). Stay of 1000.00: pooled 500.00 x 0.70 = 350.00, share 650.00.
Stay of 2000.00: 1500.00 x 0.70 = 1050.00, share 950.00. A 300.00 stay is under the deductible and is
reversed. Annual share 1600.00. With the secondary in-county ratio at 0.65: 325.00 and 975.00, shares 675.00
and 1025.00, annual share 1700.00: it rises by 100.00, and the pooled fund pays 100.00 less for this person.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
import yaml
from adjudication_gateway import amounts, documented
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_adjudication.adapters import settling
from medfund_adjudication.adapters.simulation_worker import ShardFailed, replay_in_shards
from medfund_deploy.evidence import value_of
from medfund_shared.auth import issue_token
from medfund_shared.policy.pack_set import PackSet, shipped_packs_dir
from medfund_shared.simulation_answers import Simulation, SimulationStarted

pytestmark = pytest.mark.integration

HOSPITAL = "H211302S"
TERTIARY = "H211302T"
PACK = PackSet.load().in_force("211302", "390", date(2026, 1, 1))


def _shipped_pack_as_json() -> dict:
    """The shipped pack as a client would send it: the YAML's values as JSON (dates as text)."""
    document = yaml.safe_load((shipped_packs_dir() / "211302-390-2015-01-01.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(document, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


@pytest.fixture
async def recorded_year(gateway):
    return await gateway.record_resident_year()


async def _simulate(gateway, pack: dict, **extra) -> dict:
    return (await _simulated(gateway, pack, **extra))["result"]


async def _simulated(gateway, pack: dict, **extra) -> dict:
    operator = {"Authorization": f"Bearer {issue_token(gateway.settings, 'operator')}"}
    r = await gateway.client.post("/v1/simulations", headers=operator,
                                  json={"admdvs": "211302", "year": 2026, "pack": pack, **extra})
    assert r.status_code == 202, r.text
    simulation_id = documented(SimulationStarted, r.json())["simulation_id"]

    async def finished():
        state = (await gateway.client.get(f"/v1/simulations/{simulation_id}", headers=operator)).json()
        return state if state["status"] in ("done", "failed") else None
    state = await value_of(finished, "the simulation to finish")
    assert state["status"] == "done", state["error"]
    documented(Simulation, state)
    assert state["progress"]["processed"] == state["progress"]["total"]
    return state


async def test_the_pack_in_force_reproduces_every_settlement_to_the_fen(gateway, recorded_year):
    result = await _simulate(gateway, _shipped_pack_as_json())
    assert result["settlements"] >= 3 and result["reversed"] >= 1 and result["refused"]["count"] == 0
    for dimension in ("fund", "month", "institution_level", "area", "person_category", "age_band"):
        assert result[dimension], dimension
        assert {row["difference"] for row in result[dimension]} == {"0.00"}, (dimension, result[dimension])
        assert all(row["actual"] == row["candidate"] for row in result[dimension])
    deciles = result["out_of_pocket"]["deciles"]
    assert deciles and all(d["actual"] == d["candidate"] for d in deciles)
    assert result["out_of_pocket"]["rises"]["count"] == 0
    assert result["out_of_pocket"]["newly_catastrophic"]["count"] == 0


async def test_a_lower_ratio_costs_the_patients_what_the_hand_computation_says(gateway, recorded_year):
    pack = _shipped_pack_as_json()
    pack["inpatient"]["schedule"]["in_county"]["secondary"]["ratio"] = 0.65
    result = await _simulate(gateway, pack, share_rise="99.99")
    people = {p["psn_no"]: p for p in result["out_of_pocket"]["rises"]["people"]}
    assert people[recorded_year] == {"psn_no": recorded_year, "actual": "1600.00", "candidate": "1700.00",
                                     "rise": "100.00"}
    secondary = {row["key"]: row for row in result["institution_level"]}["secondary"]
    assert secondary["candidate"] != secondary["actual"]


async def _stored_order(settings, psn_no: str) -> list[tuple[str, int | None]]:
    """The person's rows as ``(setl_id, accumulator_version)``, in the order their transactions began."""
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT setl_id, accumulator_version FROM settlements WHERE psn_no = :p "
                                           "ORDER BY created_at"), {"p": psn_no})
            return [tuple(row) for row in rows]
    finally:
        await engine.dispose()


async def test_settlements_replay_in_the_order_the_totals_moved_not_the_order_they_began(gateway, monkeypatch):
    """Stay A's settlement loses its version check to a concurrent settlement C and settles again under the row
    lock; that transaction has begun when a concurrent settlement B of the same person writes, so A began
    before B yet moved the totals after it. Each concurrent settlement is a real request through the API, sent at
    the moment A has read the person's state (as test_settlement_races.py does).

    By hand (211302 pack, resident aged 50, in county, tertiary: deductible 800.00 per stay, ratio 0.65;
    catastrophic basis the compliant self-pay, scope cost − deductible − pooled pay, threshold 8000.00, 50 % of
    the first 20000.00 above it). Recorded order C, B, A:
    C 20000.00: pooled (20000.00 − 800.00) x 0.65 = 12480.00, basis 6720.00;
    B 5000.00: pooled 2730.00, basis 8190.00, catastrophic (8190.00 − 8000.00) x 0.5 = 95.00;
    A 20000.00: pooled 12480.00, basis 14910.00, catastrophic 6720.00 x 0.5 = 3360.00.
    Replayed by when each transaction began (C, A, B), A's catastrophic pay would be (13440.00 − 8000.00) x 0.5
    = 2720.00 and B's 735.00: April's fund pay 640.00 lower and May's 640.00 higher under the pack in force. In
    version order every difference is zero."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302", brdy="1976-01-01")
    await gateway.wait_covered(psn, "2026-03-01")
    c = await gateway.stay_natively(TERTIARY, psn, "2026-03-05", "20000.00")
    b = await gateway.stay_natively(TERTIARY, psn, "2026-05-05", "5000.00")
    a = await gateway.stay_natively(TERTIARY, psn, "2026-04-05", "20000.00")
    answers, reads, original = {}, [], settling.settlement_reading

    async def settlement_reading(db, mdtrt_id, medins_setl_id, request=None):
        reading = await original(db, mdtrt_id, medins_setl_id, request)
        if mdtrt_id == a:
            reads.append(mdtrt_id)
            if len(reads) == 1:
                answers["C"] = await gateway.settle_stay_natively(TERTIARY, psn, c, "2026-03-05", "20000.00")
            elif len(reads) == 2:
                answers["B"] = await gateway.settle_stay_natively(TERTIARY, psn, b, "2026-05-05", "5000.00")
        return reading

    monkeypatch.setattr(settling, "settlement_reading", settlement_reading)
    answers["A"] = await gateway.settle_stay_natively(TERTIARY, psn, a, "2026-04-05", "20000.00")
    monkeypatch.undo()

    assert len(reads) == 3, "A read, lost to C, read again in its locked transaction and once more under the lock"
    assert {name: amounts(answer, "hifp_pay", "hifmi_pay") for name, answer in answers.items()} == {
        "C": {"hifp_pay": "12480.00", "hifmi_pay": "0.00"}, "B": {"hifp_pay": "2730.00", "hifmi_pay": "95.00"},
        "A": {"hifp_pay": "12480.00", "hifmi_pay": "3360.00"}}
    ids = {name: answer["setlinfo"]["setl_id"] for name, answer in answers.items()}
    assert await _stored_order(gateway.settings, psn) == [(ids["C"], 1), (ids["A"], 3), (ids["B"], 2)]
    result = await _simulate(gateway, _shipped_pack_as_json())
    for dimension in ("fund", "month", "fund_by_month", "institution_level", "person_category", "age_band"):
        assert {row["difference"] for row in result[dimension]} == {"0.00"}, (dimension, result[dimension])
    assert result["out_of_pocket"]["rises"]["count"] == 0
    operator = {"Authorization": f"Bearer {issue_token(gateway.settings, 'operator')}"}
    for setl_id in ids.values():
        r = await gateway.client.get(f"/v1/settlements/{setl_id}/replay", headers=operator)
        assert r.status_code == 200 and r.json()["verdict"] == "EQUAL", r.text


async def test_rows_written_before_the_version_was_stored_replay_first_by_when_they_began(gateway):
    """Rows written before migration 0015 have no accumulator version: they moved the person's totals before
    every versioned row of the year. C and B below are settled, then their versions cleared as the migration
    left such rows; A, settled after them, keeps version 3. Replayed versions first (A, C, B), the replay would
    start from A's totals before (C's and B's burden in them) and count C and B again: by the figures of the test
    above, the catastrophic fund would pay C (21630.00 − 14910.00) x 0.5 = 3360.00 instead of 0.00 and B 735.00
    instead of 95.00, 7455.00 in all instead of 3455.00. Replayed as the rule says (C, B by when they began,
    then A), nothing differs."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302", brdy="1976-01-01")
    await gateway.wait_covered(psn, "2026-03-01")
    answers = {}
    for name, day, amount in (("C", "2026-03-05", "20000.00"), ("B", "2026-05-05", "5000.00"),
                              ("A", "2026-04-05", "20000.00")):
        stay = await gateway.stay_natively(TERTIARY, psn, day, amount)
        answers[name] = await gateway.settle_stay_natively(TERTIARY, psn, stay, day, amount)
    assert amounts(answers["A"], "hifp_pay", "hifmi_pay") == {"hifp_pay": "12480.00", "hifmi_pay": "3360.00"}
    ids = {name: answer["setlinfo"]["setl_id"] for name, answer in answers.items()}
    engine = create_async_engine(gateway.settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE settlements SET accumulator_version = NULL WHERE setl_id IN (:c, :b)"),
                               {"c": ids["C"], "b": ids["B"]})
    finally:
        await engine.dispose()
    assert await _stored_order(gateway.settings, psn) == [(ids["C"], None), (ids["B"], None), (ids["A"], 3)]
    result = await _simulate(gateway, _shipped_pack_as_json())
    for dimension in ("fund", "month", "fund_by_month"):
        assert {row["difference"] for row in result[dimension]} == {"0.00"}, (dimension, result[dimension])


async def test_a_persons_settlements_sent_at_once_store_every_version_once_and_reproduce(gateway):
    """Six stays of one person of different sizes and months settled at the same time: whichever order they
    take, each stores its own version of the person's year (1 to 6, once each), and the pack in force
    reproduces them all (the catastrophic tiers make each one's figures depend on the order)."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302", brdy="1976-01-01")
    await gateway.wait_covered(psn, "2026-03-01")
    stays = [(day, amount, await gateway.stay_natively(TERTIARY, psn, day, amount)) for day, amount in (
        ("2026-03-05", "20000.00"), ("2026-04-05", "5000.00"), ("2026-05-05", "12000.00"),
        ("2026-06-05", "3000.00"), ("2026-07-05", "20000.00"), ("2026-08-05", "8000.00"))]
    await asyncio.gather(*(gateway.settle_stay_natively(TERTIARY, psn, stay, day, amount)
                           for day, amount, stay in stays))
    assert sorted(version for _, version in await _stored_order(gateway.settings, psn)) == [1, 2, 3, 4, 5, 6]
    result = await _simulate(gateway, _shipped_pack_as_json())
    for dimension in ("fund", "month", "fund_by_month"):
        assert {row["difference"] for row in result[dimension]} == {"0.00"}, (dimension, result[dimension])


async def test_bad_simulations_are_refused_naming_the_field(gateway):
    operator = {"Authorization": f"Bearer {issue_token(gateway.settings, 'operator')}"}
    pack = _shipped_pack_as_json()
    pack["inpatient"]["schedule"]["in_county"]["secondary"]["ratio"] = 1.5
    cases = [({"admdvs": "211302", "year": 2026, "pack": pack}, "pack.inpatient"),
             ({"admdvs": "330326", "year": 2026, "pack": _shipped_pack_as_json()}, "pack.admdvs"),
             ({"admdvs": "211302", "pack": _shipped_pack_as_json()}, "year")]
    for body, field in cases:
        r = await gateway.client.post("/v1/simulations", headers=operator, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"].startswith(field), r.json()
    assert (await gateway.client.post("/v1/simulations", headers=gateway.his(HOSPITAL),
                                      json={"admdvs": "211302", "year": 2026, "pack": pack})).status_code == 403
    r = await gateway.client.get("/v1/simulations/SMNONE", headers=operator)
    assert r.status_code == 404


async def test_shards_split_the_people_and_merge_to_what_one_process_replays(gateway, recorded_year):
    """The worker's shards (``abs(hashtext(psn_no)) % N``) over the real table: one shard, two or three, the
    merged figures are the same and every row is read once."""
    await gateway.record_resident_year()
    state = await _simulated(gateway, _shipped_pack_as_json())
    url, simulation_id = gateway.settings.database_url, state["simulation_id"]
    rows, whole = await replay_in_shards(url, simulation_id, 1)
    assert rows == state["progress"]["total"] and whole.settlements >= 4 and len(whole.actual_shares) >= 2
    for shards in (2, 3):
        split_rows, split = await replay_in_shards(url, simulation_id, shards)
        assert split_rows == rows
        assert split.result(PACK) == whole.result(PACK)


async def test_a_failing_shard_fails_the_replay_with_its_error(gateway):
    with pytest.raises(ShardFailed, match="AttributeError"):
        await replay_in_shards(gateway.settings.database_url, "SMNONE", 2)
