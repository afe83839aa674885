"""POST /v1/simulations and GET /v1/simulations/{id}: the region's recorded year replayed under a candidate pack
sent as JSON, by a worker process. The shipped pack unchanged gives every difference zero, over everything the
session recorded in region 211302; a lower ratio gives the cost computed by hand below.

By hand (211302 pack, resident aged 50, in county, secondary hospital: inpatient deductible 500.00 per stay,
ratio 0.70; class A lines, no pre-self-pay). Stay of 1000.00: pooled 500.00 x 0.70 = 350.00, share 650.00.
Stay of 2000.00: 1500.00 x 0.70 = 1050.00, share 950.00. A 300.00 stay is under the deductible and is
reversed. Annual share 1600.00. With the secondary in-county ratio at 0.65: 325.00 and 975.00, shares 675.00
and 1025.00, annual share 1700.00: it rises by 100.00, and the pooled fund pays 100.00 less for this person.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml
from adjudication_gateway import documented, wait_until

from medfund_adjudication.adapters.simulation_worker import ShardFailed, replay_in_shards
from medfund_shared.auth import issue_token
from medfund_shared.policy.pack_set import PackSet, shipped_packs_dir
from medfund_shared.simulation_answers import Simulation, SimulationStarted

pytestmark = pytest.mark.integration

HOSPITAL = "H211302S"
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
    state = await wait_until(finished)
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
