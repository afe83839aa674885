"""The simulation's replay rate (issue 25): recorded settlements replayed under a candidate pack.

Each row goes through what the simulation worker does per row after PostgreSQL hands it over: parse the
stored JSON of the inputs and of the result (with orjson, as the worker's engine reads JSON columns), decode
them, compute the settlement under the candidate pack with the person's running totals, and tally it. The rows
are copies of a few recorded stays (inpatient and outpatient, several sizes) spread over people of
``VISITS_PER_PERSON`` visits each, in the worker's order. Not included: PostgreSQL streaming the rows (a
server-side cursor, 2,000 rows a fetch), reported apart by the PostgreSQL limit row.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import orjson

from medfund_adjudication.adapters import result_codec
from medfund_adjudication.domain.settlement import Accumulators, CatalogueEntry, FeeItem, Institution, Person, Visit
from medfund_adjudication.domain.settlement import settle as compute
from medfund_adjudication.domain.settlement.receipt import SettlementInputs, canonical, inputs_from
from medfund_adjudication.domain.simulation import RecordedSettlement, Replay
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.settings import Settings

ADMDVS, INSUTYPE, YEAR = "211302", "390", 2026
VISITS_PER_PERSON = 8
RAISE = Decimal("0.05")
"""The candidate raises every in-county inpatient ratio by 5 points."""
STAYS = (("21", "3000.00"), ("11", "150.00"), ("21", "45000.00"), ("11", "80.00"), ("21", "1200.00"),
         ("21", "12000.00"), ("11", "300.00"), ("21", "90000.00"))
CATALOGUE = {"A": CatalogueEntry("A", "A"), "B": CatalogueEntry("B", "B")}


@dataclass(frozen=True)
class ReplayFigure:
    settlements: int
    seconds: float
    peak_rss_mb: float

    @property
    def rate(self) -> float:
        return self.settlements / self.seconds


def _stored_rows(pack) -> list[tuple[str, str, str]]:
    """(med_type, stored inputs JSON, stored result JSON) of one person's year, as the table keeps them."""
    person = Person(ADMDVS, INSUTYPE, date(1960, 5, 1), "adult")
    totals, rows = Accumulators(), []
    for n, (med_type, amount) in enumerate(STAYS):
        money = Money.from_yuan(amount)
        items = (FeeItem("1", "A", 1, money.to_decimal() * 4 / 5, Money(money.fen * 4 // 5)),
                 FeeItem("2", "B", 1, money.to_decimal() / 5, Money(money.fen - money.fen * 4 // 5)))
        visit = Visit(person, Institution("H1", ADMDVS, ("primary", "secondary", "tertiary")[n % 3]), med_type,
                      date(YEAR, 1, 10) + timedelta(days=40 * n), items)
        result = compute(visit, pack, CATALOGUE, totals)
        rows.append((json.dumps(canonical(SettlementInputs(visit, CATALOGUE, totals))),
                     json.dumps(result_codec.encode(result)), visit.admission_date))
        totals = result.accumulators_after
    return rows


def replay_rate(settlements: int) -> ReplayFigure:
    pack = PackSet.load().in_force(ADMDVS, INSUTYPE, date(YEAR, 1, 1))
    schedule = pack.inpatient.schedule
    in_county = schedule.in_county.model_copy(update={
        level: getattr(schedule.in_county, level).model_copy(
            update={"ratio": getattr(schedule.in_county, level).ratio + RAISE})
        for level in ("primary", "secondary", "tertiary")})
    candidate = pack.model_copy(update={"inpatient": pack.inpatient.model_copy(
        update={"schedule": schedule.model_copy(update={"in_county": in_county})})})
    rows = _stored_rows(pack)
    replay = Replay(candidate, Settings().simulation_age_bands, Money(0))
    began = time.perf_counter()
    for n in range(settlements):
        inputs_text, result_text, day = rows[n % VISITS_PER_PERSON]
        replay.feed(RecordedSettlement("settlement", f"S{n}", None, f"P{n // VISITS_PER_PERSON:08d}", YEAR, day,
                                       inputs_from(orjson.loads(inputs_text)),
                                       result_codec.recorded_amounts(orjson.loads(result_text))))
    replay.result()
    seconds = time.perf_counter() - began
    return ReplayFigure(settlements, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
