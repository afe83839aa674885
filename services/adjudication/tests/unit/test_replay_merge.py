"""The replay split by person into shards, each shard's tally merged, gives exactly the figures of one replay of
all the rows: sums in fen, the deciles over everyone, the share rises and the newly catastrophic (counts and the
listed people), refused and reversed counts, fund pay by month.

The candidate (211302 pack) lowers the catastrophic threshold from 8000.00 to 3000.00 and every in-county
inpatient ratio by ten points, so that people's shares rise and some become newly catastrophic."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medfund_adjudication.domain import simulation
from medfund_adjudication.domain.settlement import Accumulators, reverse, settle
from medfund_adjudication.domain.settlement.receipt import SettlementInputs
from medfund_adjudication.domain.simulation import RecordedAmounts, RecordedSettlement, Replay, ReplayTally
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

PACK = PackSet.load().in_force("211302", "390", date(2026, 3, 1))
_IN_COUNTY = PACK.inpatient.schedule.in_county
CANDIDATE = PACK.model_copy(update={
    "catastrophic": PACK.catastrophic.model_copy(update={"threshold": Money.from_yuan("3000")}),
    "inpatient": PACK.inpatient.model_copy(update={"schedule": PACK.inpatient.schedule.model_copy(update={
        "in_county": _IN_COUNTY.model_copy(update={
            level: getattr(_IN_COUNTY, level).model_copy(update={"ratio": getattr(_IN_COUNTY, level).ratio
                                                                 - Decimal("0.10")})
            for level in ("primary", "secondary", "tertiary")})})})})
BANDS = (18, 45, 60, 70)
LEVELS = ("primary", "secondary", "tertiary")


def _person_year(build, catalogue, psn_no: str, stays, reversed_stay: int | None, born: date):
    """``stays``: (yuan, level index, month) in order; the stay at ``reversed_stay`` is reversed after the last."""
    totals, records, results = Accumulators(), [], []
    for n, (yuan, level, month) in enumerate(stays):
        day = date(2026, month, 1 + n % 27)
        visit = build.visit("211302", "21", [build.fee("1", "A", yuan), build.fee("2", "B", "500")],
                            level=LEVELS[level], on=day, born=born)
        result = settle(visit, PACK, catalogue, totals)
        records.append(RecordedSettlement("settlement", f"{psn_no}-S{n}", None, psn_no, 2026, day,
                                          SettlementInputs(visit, dict(catalogue), totals),
                                          RecordedAmounts.of(result)))
        results.append(result)
        totals = result.accumulators_after
    if reversed_stay is not None and reversed_stay < len(stays):
        taken_back = reverse(results[reversed_stay], totals)
        records.append(RecordedSettlement("reversal", f"{psn_no}-R", f"{psn_no}-S{reversed_stay}", psn_no, 2026,
                                          date(2026, 12, 20), None, RecordedAmounts.of(taken_back)))
    return records


def _one_replay(people) -> dict:
    replay = Replay(CANDIDATE, BANDS, Money.from_yuan("100"))
    for records in people:
        for record in records:
            replay.feed(record)
    return replay.result()


def _sharded_replay(people, shard_of: list[int], shards: int) -> dict:
    """Each shard replays its people alone (in the same order); the tallies are merged in shard order."""
    tallies: list[ReplayTally] = []
    for shard in range(shards):
        replay = Replay(CANDIDATE, BANDS, Money.from_yuan("100"))
        for records, home in zip(people, shard_of, strict=True):
            if home == shard:
                for record in records:
                    replay.feed(record)
        tallies.append(replay.tally())
    merged = tallies[0]
    for tally in tallies[1:]:
        merged.merge(tally)
    return merged.result(CANDIDATE)


@pytest.fixture
def population(build, catalogue):
    """Four people: a large stay and a reversal, a year of small stays, one over the candidate's threshold only,
    and one under every threshold."""
    return [
        _person_year(build, catalogue, "P1", [("100000", 2, 3), ("40000", 2, 6)], 0, date(1976, 1, 1)),
        _person_year(build, catalogue, "P2", [("3000", 0, m) for m in (1, 4, 7, 10)], None, date(1950, 1, 1)),
        _person_year(build, catalogue, "P3", [("12000", 1, 5)], None, date(2010, 1, 1)),
        _person_year(build, catalogue, "P4", [("800", 0, 2)], None, date(1990, 1, 1)),
    ]


@pytest.mark.parametrize("shard_of", [[0, 1, 0, 1], [1, 1, 1, 1], [0, 1, 2, 0], [2, 0, 1, 1]])
def test_merged_shards_equal_one_replay_of_everyone(population, shard_of):
    whole = _one_replay(population)
    assert whole["people"] == 4 and whole["reversed"] == 1
    assert whole["out_of_pocket"]["rises"]["count"] >= 2 and whole["out_of_pocket"]["newly_catastrophic"]["count"] >= 1
    assert _sharded_replay(population, shard_of, 3) == whole


def test_the_listed_people_are_the_largest_rises_and_the_smallest_numbers_across_shards(population, monkeypatch):
    monkeypatch.setattr(simulation, "LISTED_PEOPLE", 1)
    whole = _one_replay(population)
    rises = whole["out_of_pocket"]["rises"]
    everyone = _one_replay_listing_all(population, monkeypatch)
    assert rises["people"] == everyone["rises"]["people"][:1]
    assert whole["out_of_pocket"]["newly_catastrophic"]["people"] == everyone["newly_catastrophic"]["people"][:1]
    for shard_of in ([0, 1, 0, 1], [1, 0, 1, 0], [1, 1, 0, 0]):
        assert _sharded_replay(population, shard_of, 2) == whole


def _one_replay_listing_all(population, monkeypatch) -> dict:
    monkeypatch.setattr(simulation, "LISTED_PEOPLE", 100)
    listed = _one_replay(population)["out_of_pocket"]
    monkeypatch.setattr(simulation, "LISTED_PEOPLE", 1)
    return listed


def test_tallies_of_different_share_rises_do_not_merge():
    with pytest.raises(ValueError):
        ReplayTally(0).merge(ReplayTally(100))


stays = st.lists(st.tuples(st.sampled_from(["300", "2500", "9000", "30000", "90000"]), st.integers(0, 2),
                           st.integers(1, 12)), min_size=1, max_size=4).map(lambda s: sorted(s, key=lambda x: x[2]))
people = st.lists(st.tuples(stays, st.none() | st.integers(0, 3), st.integers(1940, 2020), st.integers(0, 3)),
                  min_size=1, max_size=7)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=people, listed=st.integers(1, 3))
def test_any_split_by_person_merges_to_the_one_replay(build, catalogue, drawn, listed):
    population = [_person_year(build, catalogue, f"P{n:03d}", person_stays, reversed_stay, date(born, 6, 1))
                  for n, (person_stays, reversed_stay, born, _) in enumerate(drawn)]
    shard_of = [home for *_, home in drawn]
    original = simulation.LISTED_PEOPLE
    simulation.LISTED_PEOPLE = listed
    try:
        assert _sharded_replay(population, shard_of, 4) == _one_replay(population)
    finally:
        simulation.LISTED_PEOPLE = original
