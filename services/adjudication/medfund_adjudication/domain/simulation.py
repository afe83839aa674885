"""A year replayed under a candidate pack (测算): recorded settlements in order per person, accumulators carried.

Feed :meth:`Replay.feed` the recorded settlements and reversals of one region and scheme ordered by person and
then by version. Each settlement is computed again under the candidate pack from its stored inputs, except that the
person's totals before it are the candidate's own running totals (started from the first recorded totals of the
person's year), so a change early in the year carries through. A reversal takes its settlement's candidate back
out, exactly as it took the recorded one. What the candidate pack refuses is counted apart. Memory: the running
state of one person, the aggregates (bounded by their keys) and one integer per person for the deciles.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_right
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


class Replay:
    def __init__(self, candidate: PolicyPack, age_bands: Sequence[int], share_rise: Money) -> None:
        self._pack, self._bands, self._band_names = candidate, list(age_bands), _band_names(age_bands)
        self._share_rise = share_rise.fen
        self.settlements = self.reversed = 0
        self.refused, self._refused_fund = 0, 0
        self.without_inputs = 0
        """Settlements recorded before settlements kept their inputs (migration 0011): left out on both sides."""
        self._by: dict[str, dict[str, _Pair]] = defaultdict(lambda: defaultdict(_Pair))
        self._fund_months: dict[tuple[str, str], _Pair] = defaultdict(_Pair)
        """Fund pay by (fund_pay_type, month): what the fund ledger's pools would have paid each month."""
        self._person: _Person | None = None
        self._actual_shares, self._candidate_shares = array("q"), array("q")
        self._rises: list[tuple[int, str, int, int]] = []
        self.rises = 0
        self._newly: list[str] = []
        self.newly_catastrophic = 0

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
        person, inputs = self._person, recorded.inputs
        if inputs is None:
            self.without_inputs += 1
            return
        before = person.totals.setdefault(recorded.year, inputs.accumulators_before)
        try:
            candidate = settle(inputs.visit, self._pack, inputs.catalogue, before)
        except SettlementRefused:
            self.refused += 1
            self._refused_fund += recorded.result.fund_pay_sumamt
            return
        self.settlements += 1
        person.totals[recorded.year] = candidate.accumulators_after
        dims = self._dimensions(recorded)
        person.settled[recorded.setl_id] = (candidate, dims)
        self._tally(recorded, recorded.result, candidate, dims, 1)

    def _reverse(self, recorded: RecordedSettlement) -> None:
        person = self._person
        taken = person.settled.pop(recorded.original_setl_id, None)
        if taken is None:
            return
        candidate, dims = taken
        self.reversed += 1
        person.totals[recorded.year] = person.totals[recorded.year].minus(candidate.accumulator_delta)
        self._tally(recorded, recorded.result, candidate, dims, -1)

    def _tally(self, recorded: RecordedSettlement, actual: RecordedAmounts, candidate: SettlementResult,
               dims: _Dimensions, sign: int) -> None:
        """``actual`` as recorded (a reversal's is already negated); ``candidate`` times ``sign``."""
        by_fund, fund_months = self._by["fund"], self._fund_months
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
            self._by[dimension][key].add(fund_actual, fund_candidate)
        self._person.share.add(actual.psn_part_amt, sign * candidate.psn_part_amt.fen)
        self._person.catastrophic.add(actual.hifmi_pay, sign * candidate.hifmi_pay.fen)

    def _close_person(self) -> None:
        person = self._person
        if person is None:
            return
        share = person.share
        self._actual_shares.append(share.actual)
        self._candidate_shares.append(share.candidate)
        rise = share.candidate - share.actual
        if rise > self._share_rise:
            self.rises += 1
            entry = (rise, person.psn_no, share.actual, share.candidate)
            if len(self._rises) < LISTED_PEOPLE:
                heapq.heappush(self._rises, entry)
            else:
                heapq.heappushpop(self._rises, entry)
        if person.catastrophic.actual <= 0 < person.catastrophic.candidate:
            self.newly_catastrophic += 1
            if len(self._newly) < LISTED_PEOPLE:
                self._newly.append(person.psn_no)

    @staticmethod
    def _deciles(values: array) -> list[Money]:
        ordered = sorted(values)
        if not ordered:
            return []
        return [Money(ordered[min(len(ordered) - 1, (len(ordered) * k) // 10)]) for k in range(1, 10)]

    def result(self) -> dict:
        """The aggregates, actual beside candidate; money as :class:`Money` (the caller renders it)."""
        self._close_person()
        self._person = None
        actual, candidate = self._deciles(self._actual_shares), self._deciles(self._candidate_shares)
        return {
            "pack_id": self._pack.pack_id, "pack_hash": self._pack.content_hash,
            "settlements": self.settlements, "reversed": self.reversed,
            "refused": {"count": self.refused, "actual_fund_pay": Money(self._refused_fund)},
            "without_inputs": self.without_inputs,
            "people": len(self._actual_shares),
            **{dimension: [{"key": key, **pair.shown()} for key, pair in sorted(self._by[dimension].items())]
               for dimension in ("fund", "month", "institution_level", "area", "person_category", "age_band")},
            "fund_by_month": [{"fund_pay_type": code, "month": month, **pair.shown()}
                              for (code, month), pair in sorted(self._fund_months.items())],
            "out_of_pocket": {
                "deciles": [{"decile": k, "actual": a, "candidate": c}
                            for k, (a, c) in enumerate(zip(actual, candidate, strict=True), start=1)],
                "rises": {"more_than": Money(self._share_rise), "count": self.rises, "people": [
                    {"psn_no": psn_no, "actual": Money(a), "candidate": Money(c), "rise": Money(rise)}
                    for rise, psn_no, a, c in sorted(self._rises, reverse=True)]},
                "newly_catastrophic": {"count": self.newly_catastrophic, "people": self._newly},
            },
        }
