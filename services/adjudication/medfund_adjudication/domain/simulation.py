"""A year replayed under a candidate pack (测算): recorded settlements in order per person, accumulators carried.

Feed :meth:`Replay.feed` the recorded settlements and reversals of one region and scheme ordered by person and
then by version. Each settlement is computed again under the candidate pack from its stored inputs, except that the
person's totals before it are the candidate's own running totals (started from the first recorded totals of the
person's year), so a change early in the year carries through. A reversal takes its settlement's candidate back
out, exactly as it took the recorded one. What the candidate pack refuses is counted apart. Memory: the running
state of one person, the aggregates (bounded by their keys) and one integer per person for the deciles.

The worker splits the people into shards replayed in parallel processes; :meth:`ReplayTally.merge` joins their
figures exactly (:meth:`Replay.tally` is a shard's part).
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from medfund_adjudication.domain.settlement import Accumulators, SettlementRefused, SettlementResult, settle
from medfund_adjudication.domain.settlement.receipt import SettlementInputs
from medfund_shared.money import Money
from medfund_shared.policy.schema import PolicyPack

LISTED_PEOPLE = 100
"""How many people the result names in each list (the counts cover everyone)."""


@dataclass(frozen=True)
class RecordedAmounts:
    """What the replay reads of a recorded result (fen): decoding only these keeps the replay fast."""

    funds: tuple[tuple[str, int], ...]
    """``(fund_pay_type, fund_payamt)`` of each setldetail row."""
    fund_pay_sumamt: int
    psn_part_amt: int
    hifmi_pay: int
    age: int
    area: str

    @classmethod
    def of(cls, result: SettlementResult) -> RecordedAmounts:
        return cls(tuple((row.fund_pay_type, row.fund_payamt.fen) for row in result.setldetail),
                   result.fund_pay_sumamt.fen, result.psn_part_amt.fen, result.hifmi_pay.fen, result.age, result.area)


@dataclass(frozen=True)
class RecordedSettlement:
    kind: str
    setl_id: str
    original_setl_id: str | None
    psn_no: str
    year: int
    setl_date: date
    inputs: SettlementInputs | None
    result: RecordedAmounts


@dataclass
class _Pair:
    actual: int = 0
    candidate: int = 0

    def add(self, actual: int, candidate: int) -> None:
        self.actual += actual
        self.candidate += candidate

    def shown(self) -> dict:
        return {"actual": Money(self.actual), "candidate": Money(self.candidate),
                "difference": Money(self.candidate - self.actual)}


@dataclass(frozen=True)
class _Dimensions:
    level: str
    area: str
    category: str
    age_band: str


@dataclass
class _Person:
    psn_no: str
    totals: dict[int, Accumulators] = field(default_factory=dict)
    settled: dict[str, tuple[SettlementResult, _Dimensions]] = field(default_factory=dict)
    share: _Pair = field(default_factory=_Pair)
    catastrophic: _Pair = field(default_factory=_Pair)


def _band_names(bands: Sequence[int]) -> list[str]:
    edges = [0, *bands]
    return [f"{low}-{high - 1}" for low, high in zip(edges, edges[1:], strict=False)] + [f"{edges[-1]}+"]


def _pairs_by_key() -> defaultdict[str, _Pair]:
    return defaultdict(_Pair)


class ReplayTally:
    """The figures of a replay (fen), kept so that tallies of disjoint sets of people merge exactly: a replay
    split by person into shards, each shard's tally merged, gives the figures of one replay of all the rows.

    Counts and sums add; the per-person annual shares (for the deciles) are one integer per person, and the
    people are disjoint, so their arrays join; the share rises keep the :data:`LISTED_PEOPLE` largest (rise,
    person) and the newly catastrophic the :data:`LISTED_PEOPLE` smallest person numbers, which the union of
    two such lists still contains."""

    def __init__(self, share_rise: int) -> None:
        self.share_rise = share_rise
        self.settlements = self.reversed = self.refused = self.refused_fund = self.without_inputs = 0
        self.by: defaultdict[str, defaultdict[str, _Pair]] = defaultdict(_pairs_by_key)
        self.fund_months: defaultdict[tuple[str, str], _Pair] = defaultdict(_Pair)
        """Fund pay by (fund_pay_type, month): what the fund ledger's pools would have paid each month."""
        self.actual_shares, self.candidate_shares = array("q"), array("q")
        self.rises: list[tuple[int, str, int, int]] = []
        """A heap of the largest (rise, psn_no, actual, candidate)."""
        self.rise_count = 0
        self.newly: list[str] = []
        """The smallest person numbers of the newly catastrophic, in order."""
        self.newly_count = 0

    def close_person(self, psn_no: str, share: _Pair, catastrophic: _Pair) -> None:
        self.actual_shares.append(share.actual)
        self.candidate_shares.append(share.candidate)
        rise = share.candidate - share.actual
        if rise > self.share_rise:
            self.rise_count += 1
            self._keep_rise((rise, psn_no, share.actual, share.candidate))
        if catastrophic.actual <= 0 < catastrophic.candidate:
            self.newly_count += 1
            self._keep_newly(psn_no)

    def _keep_rise(self, entry: tuple[int, str, int, int]) -> None:
        if len(self.rises) < LISTED_PEOPLE:
            heapq.heappush(self.rises, entry)
        else:
            heapq.heappushpop(self.rises, entry)

    def _keep_newly(self, psn_no: str) -> None:
        insort(self.newly, psn_no)
        del self.newly[LISTED_PEOPLE:]

    def merge(self, other: ReplayTally) -> ReplayTally:
        """Adds ``other`` (a tally of other people, under the same pack and share rise) into this one."""
        if other.share_rise != self.share_rise:
            raise ValueError("tallies of different share rises do not merge")
        self.settlements += other.settlements
        self.reversed += other.reversed
        self.refused += other.refused
        self.refused_fund += other.refused_fund
        self.without_inputs += other.without_inputs
        for dimension, pairs in other.by.items():
            mine = self.by[dimension]
            for key, pair in pairs.items():
                mine[key].add(pair.actual, pair.candidate)
        for key, pair in other.fund_months.items():
            self.fund_months[key].add(pair.actual, pair.candidate)
        self.actual_shares.extend(other.actual_shares)
        self.candidate_shares.extend(other.candidate_shares)
        self.rise_count += other.rise_count
        for entry in other.rises:
            self._keep_rise(entry)
        self.newly_count += other.newly_count
        for psn_no in other.newly:
            self._keep_newly(psn_no)
        return self

    @staticmethod
    def _deciles(values: array) -> list[Money]:
        ordered = sorted(values)
        if not ordered:
            return []
        return [Money(ordered[min(len(ordered) - 1, (len(ordered) * k) // 10)]) for k in range(1, 10)]

    def result(self, pack: PolicyPack) -> dict:
        """The aggregates, actual beside candidate; money as :class:`Money` (the caller renders it)."""
        actual, candidate = self._deciles(self.actual_shares), self._deciles(self.candidate_shares)
        return {
            "pack_id": pack.pack_id, "pack_hash": pack.content_hash,
            "settlements": self.settlements, "reversed": self.reversed,
            "refused": {"count": self.refused, "actual_fund_pay": Money(self.refused_fund)},
            "without_inputs": self.without_inputs,
            "people": len(self.actual_shares),
            **{dimension: [{"key": key, **pair.shown()} for key, pair in sorted(self.by[dimension].items())]
               for dimension in ("fund", "month", "institution_level", "area", "person_category", "age_band")},
            "fund_by_month": [{"fund_pay_type": code, "month": month, **pair.shown()}
                              for (code, month), pair in sorted(self.fund_months.items())],
            "out_of_pocket": {
                "deciles": [{"decile": k, "actual": a, "candidate": c}
                            for k, (a, c) in enumerate(zip(actual, candidate, strict=True), start=1)],
                "rises": {"more_than": Money(self.share_rise), "count": self.rise_count, "people": [
                    {"psn_no": psn_no, "actual": Money(a), "candidate": Money(c), "rise": Money(rise)}
                    for rise, psn_no, a, c in sorted(self.rises, reverse=True)]},
                "newly_catastrophic": {"count": self.newly_count, "people": list(self.newly)},
            },
        }


class Replay:
    def __init__(self, candidate: PolicyPack, age_bands: Sequence[int], share_rise: Money) -> None:
        self._pack, self._bands, self._band_names = candidate, list(age_bands), _band_names(age_bands)
        self._tally = ReplayTally(share_rise.fen)
        self._person: _Person | None = None

    def _dimensions(self, recorded: RecordedSettlement) -> _Dimensions:
        visit, age = recorded.inputs.visit, recorded.result.age
        return _Dimensions(visit.institution.level, recorded.result.area, visit.person.category,
                           self._band_names[bisect_right(self._bands, age)])

    def feed(self, recorded: RecordedSettlement) -> None:
        if self._person is None or self._person.psn_no != recorded.psn_no:
            self._close_person()
            self._person = _Person(recorded.psn_no)
        if recorded.kind == "reversal":
            self._reverse(recorded)
        else:
            self._settle(recorded)

    def _settle(self, recorded: RecordedSettlement) -> None:
        person, inputs, tally = self._person, recorded.inputs, self._tally
        if inputs is None:
            tally.without_inputs += 1
            return
        before = person.totals.setdefault(recorded.year, inputs.accumulators_before)
        try:
            candidate = settle(inputs.visit, self._pack, inputs.catalogue, before, explain=False)
        except SettlementRefused:
            tally.refused += 1
            tally.refused_fund += recorded.result.fund_pay_sumamt
            return
        tally.settlements += 1
        person.totals[recorded.year] = candidate.accumulators_after
        dims = self._dimensions(recorded)
        person.settled[recorded.setl_id] = (candidate, dims)
        self._tally_row(recorded, recorded.result, candidate, dims, 1)

    def _reverse(self, recorded: RecordedSettlement) -> None:
        person = self._person
        taken = person.settled.pop(recorded.original_setl_id, None)
        if taken is None:
            return
        candidate, dims = taken
        self._tally.reversed += 1
        person.totals[recorded.year] = person.totals[recorded.year].minus(candidate.accumulator_delta)
        self._tally_row(recorded, recorded.result, candidate, dims, -1)

    def _tally_row(self, recorded: RecordedSettlement, actual: RecordedAmounts, candidate: SettlementResult,
                   dims: _Dimensions, sign: int) -> None:
        """``actual`` as recorded (a reversal's is already negated); ``candidate`` times ``sign``."""
        by, fund_months = self._tally.by, self._tally.fund_months
        by_fund = by["fund"]
        day = recorded.setl_date
        month = f"{day.year:04d}-{day.month:02d}"
        for code, paid in actual.funds:
            by_fund[code].actual += paid
            fund_months[code, month].actual += paid
        for row in candidate.setldetail:
            paid = sign * row.fund_payamt.fen
            by_fund[row.fund_pay_type].candidate += paid
            fund_months[row.fund_pay_type, month].candidate += paid
        fund_actual, fund_candidate = actual.fund_pay_sumamt, sign * candidate.fund_pay_sumamt.fen
        for dimension, key in (("month", month), ("institution_level", dims.level),
                               ("area", dims.area), ("person_category", dims.category),
                               ("age_band", dims.age_band)):
            by[dimension][key].add(fund_actual, fund_candidate)
        self._person.share.add(actual.psn_part_amt, sign * candidate.psn_part_amt.fen)
        self._person.catastrophic.add(actual.hifmi_pay, sign * candidate.hifmi_pay.fen)

    def _close_person(self) -> None:
        person = self._person
        if person is not None:
            self._tally.close_person(person.psn_no, person.share, person.catastrophic)
        self._person = None

    def tally(self) -> ReplayTally:
        """The figures so far, the last person closed: what a shard hands back to be merged."""
        self._close_person()
        return self._tally

    def result(self) -> dict:
        """The aggregates, actual beside candidate; money as :class:`Money` (the caller renders it)."""
        return self.tally().result(self._pack)
