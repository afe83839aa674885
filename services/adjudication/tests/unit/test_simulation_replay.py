"""The simulation's replay, by hand on the 211302 pack (adult aged 50, in county, tertiary: inpatient deductible
800.00 per stay, ratio 0.65, pooled annual cap 60000.00).

Two stays of 100000.00 (class A). Recorded: the first pays (100000 - 800) x 0.65 = 64480.00 capped at 60000.00,
the second nothing (the cap is used). With a cap of 80000.00 the first pays 64480.00 and the second the
15520.00 left: the change in the first stay carries through to the second."""

from datetime import date

from medfund_adjudication.domain.settlement import Accumulators, reverse, settle
from medfund_adjudication.domain.settlement.receipt import SettlementInputs
from medfund_adjudication.domain.simulation import RecordedAmounts, RecordedSettlement, Replay
from medfund_shared.money import Money

POOLED = "390100"


def _recorded_year(packs, catalogue, build, *, reverse_first: bool = False) -> tuple[list[RecordedSettlement], object]:
    pack = packs.in_force("211302", "390", date(2026, 3, 1))
    totals, records, first = Accumulators(), [], None
    for n, day in enumerate((date(2026, 3, 1), date(2026, 6, 1)), start=1):
        visit = build.visit("211302", "21", [build.fee("1", "A", "100000")], level="tertiary", on=day)
        result = settle(visit, pack, catalogue, totals)
        records.append(RecordedSettlement("settlement", f"S{n}", None, "P1", 2026, day,
                                          SettlementInputs(visit, dict(catalogue), totals),
                                          RecordedAmounts.of(result)))
        totals = result.accumulators_after
        first = first or result
    if reverse_first:
        taken_back = reverse(first, totals)
        records.append(RecordedSettlement("reversal", "R1", "S1", "P1", 2026, date(2026, 7, 1), None,
                                          RecordedAmounts.of(taken_back)))
    return records, pack


def _rows(result: dict, dimension: str) -> dict:
    return {row["key"]: row for row in result[dimension]}


def _replayed(records, pack, **change) -> dict:
    candidate = pack if not change else pack.model_copy(update={"inpatient": pack.inpatient.model_copy(update=change)})
    replay = Replay(candidate, (18, 45, 60, 70), Money(0))
    for record in records:
        replay.feed(record)
    return replay.result()


def test_the_pack_in_force_gives_every_difference_zero(packs, catalogue, build):
    records, pack = _recorded_year(packs, catalogue, build)
    result = _replayed(records, pack)
    assert _rows(result, "fund")[POOLED]["actual"] == Money.from_yuan("60000")
    for dimension in ("fund", "month", "institution_level", "area", "person_category", "age_band"):
        assert {row["difference"] for row in result[dimension]} == {Money(0)}


def test_a_higher_cap_carries_from_the_first_stay_into_the_second(packs, catalogue, build):
    records, pack = _recorded_year(packs, catalogue, build)
    result = _replayed(records, pack, annual_payment_cap=Money.from_yuan("80000"))
    pooled = _rows(result, "fund")[POOLED]
    assert (pooled["actual"], pooled["candidate"]) == (Money.from_yuan("60000"), Money.from_yuan("80000"))
    assert _rows(result, "month")["2026-06"]["difference"] != Money(0)
    assert result["settlements"] == 2 and result["age_band"][0]["key"] == "45-59"


def test_a_reversal_takes_the_candidate_back_out(packs, catalogue, build):
    records, pack = _recorded_year(packs, catalogue, build, reverse_first=True)
    result = _replayed(records, pack, annual_payment_cap=Money.from_yuan("80000"))
    pooled = _rows(result, "fund")[POOLED]
    assert (pooled["actual"], pooled["candidate"]) == (Money(0), Money.from_yuan("15520"))
    assert result["reversed"] == 1


def test_a_settlement_recorded_without_inputs_is_left_out_on_both_sides(packs, catalogue, build):
    records, pack = _recorded_year(packs, catalogue, build)
    old = RecordedSettlement("settlement", "S0", None, "P0", 2026, date(2026, 2, 1), None, records[0].result)
    result = _replayed([old, *records], pack)
    assert result["without_inputs"] == 1 and result["settlements"] == 2
    assert {row["difference"] for row in result["fund"]} == {Money(0)}
