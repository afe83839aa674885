"""The simulation's replay (issue 25), end to end on the running stack: recorded settlements replayed under a
candidate pack by the real worker, its shard processes in parallel, their tallies merged.

The recorded rows are copies of a few stays (inpatient and outpatient, several sizes), computed by the engine
under the pack in force and stored as the service stores them (inputs and result as JSONB, the person's
accumulator version), ``VISITS_PER_PERSON`` a person, each with an admission of its own, COPY-loaded into the
adjudication database of the stack for a year of their own (:data:`YEAR`: nothing else records there); a later
run with the same count reuses them. After the load the loader does what an operator does after a bulk load
(:func:`settle_after_load`), so the figures measured after it are the service's, not the load's aftermath.
Then ``POST /v1/simulations`` with the candidate (the in-county inpatient ratios 5 points higher) and the wall
clock is the simulation's own, from its row's ``created_at`` (the request) to ``finished_at`` (the merged result
written): the worker process starting, PostgreSQL streaming the rows to the shards (a server-side cursor each),
parse, decode, recompute, tally, merge. The CPU seconds of the worker and its shards (the adjudication service's
process group) and of PostgreSQL are read from ``/proc`` over the same run.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import httpx
import yaml

from medfund_adjudication.adapters import result_codec
from medfund_adjudication.domain.settlement import Accumulators, CatalogueEntry, FeeItem, Institution, Person, Visit
from medfund_adjudication.domain.settlement import settle as compute
from medfund_adjudication.domain.settlement.receipt import SettlementInputs, canonical
from medfund_bench import cpu
from medfund_deploy.profiles import Profile
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet, shipped_packs_dir

ADMDVS, INSUTYPE, YEAR = "211302", "390", 2031
"""A year of the bench's own: the other figures' settlements are recorded in 2026."""
PACK_FILE = "211302-390-2015-01-01.yaml"
HOSPITAL = "HSIMBENCH"
VISITS_PER_PERSON = 8
RAISE = Decimal("0.05")
"""The candidate raises every in-county inpatient ratio by 5 points."""
STAYS = (("21", "3000.00"), ("11", "150.00"), ("21", "45000.00"), ("11", "80.00"), ("21", "1200.00"),
         ("21", "12000.00"), ("11", "300.00"), ("21", "90000.00"))
CATALOGUE = {"A": CatalogueEntry("A", "A"), "B": CatalogueEntry("B", "B")}
COPY_CHUNK = 50_000
POLL_SECONDS = 0.5
DEADLINE_SECONDS = 3600.0


@dataclass(frozen=True)
class ReplayFigure:
    settlements: int
    seconds: float
    """The simulation's wall clock, request to merged result written."""
    shards: int
    worker_cpu: float
    """CPU seconds of the worker and its shard processes (the adjudication service's, idle apart from them)."""
    postgres_cpu: float
    """CPU seconds of PostgreSQL's processes (the streaming backends, the server)."""
    loaded_seconds: float | None
    """How long the COPY of the rows took; ``None`` when an earlier run's rows were reused."""

    @property
    def rate(self) -> float:
        return self.settlements / self.seconds


def candidate_document() -> dict:
    """The shipped pack as a client sends it (the YAML's values as JSON, dates as text), the in-county inpatient
    ratios :data:`RAISE` higher."""
    document = yaml.safe_load((shipped_packs_dir() / PACK_FILE).read_text(encoding="utf-8"))
    document = json.loads(json.dumps(document, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))
    for terms in document["inpatient"]["schedule"]["in_county"].values():
        terms["ratio"] = float(Decimal(str(terms["ratio"])) + RAISE)
    return document


def _person_year(pack) -> list[tuple]:
    """(stored inputs JSON, stored result JSON, business day, result) of one person's year, as the table keeps
    them."""
    person = Person(ADMDVS, INSUTYPE, date(1960, 5, 1), "adult")
    totals, rows = Accumulators(), []
    for n, (med_type, amount) in enumerate(STAYS):
        money = Money.from_yuan(amount)
        items = (FeeItem("1", "A", 1, money.to_decimal() * 4 / 5, Money(money.fen * 4 // 5)),
                 FeeItem("2", "B", 1, money.to_decimal() / 5, Money(money.fen - money.fen * 4 // 5)))
        visit = Visit(person, Institution(HOSPITAL, ADMDVS, ("primary", "secondary", "tertiary")[n % 3]), med_type,
                      date(YEAR, 1, 10) + timedelta(days=40 * n), items)
        result = compute(visit, pack, CATALOGUE, totals)
        rows.append((json.dumps(canonical(SettlementInputs(visit, CATALOGUE, totals))),
                     json.dumps(result_codec.encode(result)), visit.admission_date, result))
        totals = result.accumulators_after
    return rows


ADMISSION_COLUMNS = ("mdtrt_id", "fixmedins_code", "psn_no", "insutype", "med_type", "begntime", "referred")
COLUMNS = ("setl_id", "kind", "mdtrt_id", "fixmedins_code", "psn_no", "admdvs", "insutype", "year", "setl_time",
           "setl_date", "medfee_sumamt_fen", "fund_pay_sumamt_fen", "acct_pay_fen", "pack_id", "pack_version",
           "result", "inputs", "accumulator_version", "created_at")


def _records(settlements: int, year: list[tuple]) -> Iterator[tuple[tuple, tuple]]:
    """Each settlement with its own admission, as recorded visits are: one stay is one admission. (A million rows
    of one admission would teach the planner that an admission has a million settlements, and the gateway's
    reading statement would scan the table on every settlement after the bench.)"""
    recorded_at = datetime(YEAR, 12, 31, tzinfo=UTC)
    for n in range(settlements):
        inputs, result_text, day, result = year[n % VISITS_PER_PERSON]
        at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
        mdtrt_id, psn_no = f"SIMA{n:09d}", f"SIMB{n // VISITS_PER_PERSON:08d}"
        admission = (mdtrt_id, HOSPITAL, psn_no, INSUTYPE, STAYS[n % VISITS_PER_PERSON][0], at, False)
        yield admission, (f"SIMB{n:09d}", "settlement", mdtrt_id, HOSPITAL, psn_no, ADMDVS, INSUTYPE, YEAR, at, day,
                          result.medfee_sumamt.fen, result.fund_pay_sumamt.fen, result.acct_pay.fen, result.pack_id,
                          result.pack_version, result_text, inputs, n % VISITS_PER_PERSON + 1,
                          recorded_at + timedelta(microseconds=n))


async def _copy(conn: asyncpg.Connection, admissions: list[tuple], settlements: list[tuple]) -> None:
    await conn.copy_records_to_table("admissions", records=admissions, columns=ADMISSION_COLUMNS)
    await conn.copy_records_to_table("settlements", records=settlements, columns=COLUMNS)


async def load_recorded(database_url: str, settlements: int) -> float | None:
    """The rows of :data:`YEAR` and their admissions COPY-loaded (seconds), or ``None`` when exactly that many are
    there already."""
    pack = PackSet.load().in_force(ADMDVS, INSUTYPE, date(YEAR, 1, 1))
    conn = await asyncpg.connect(database_url)
    try:
        period = (ADMDVS, INSUTYPE, YEAR)
        count = await conn.fetchval("SELECT count(*) FROM settlements WHERE admdvs = $1 AND insutype = $2 "
                                    "AND year = $3", *period)
        stays = await conn.fetchval("SELECT count(*) FROM admissions WHERE fixmedins_code = $1", HOSPITAL)
        if count == stays == settlements:
            return None
        began = time.perf_counter()
        await conn.execute("DELETE FROM settlements WHERE admdvs = $1 AND insutype = $2 AND year = $3", *period)
        await conn.execute("DELETE FROM admissions WHERE fixmedins_code = $1", HOSPITAL)
        await conn.execute("INSERT INTO institutions (fixmedins_code, name, admdvs, level, annual_budget_fen) "
                           "VALUES ($1, 'simulation bench', $2, 'secondary', 0) ON CONFLICT DO NOTHING",
                           HOSPITAL, ADMDVS)
        admissions, chunk = [], []
        for admission, record in _records(settlements, _person_year(pack)):
            admissions.append(admission)
            chunk.append(record)
            if len(chunk) == COPY_CHUNK:
                await _copy(conn, admissions, chunk)
                admissions, chunk = [], []
        if chunk:
            await _copy(conn, admissions, chunk)
        await settle_after_load(conn)
        return time.perf_counter() - began
    finally:
        await conn.close()


async def settle_after_load(conn: asyncpg.Connection) -> None:
    """``VACUUM (FREEZE, ANALYZE)`` of the loaded tables, then ``CHECKPOINT``, as an operator does after a bulk load.

    Without it the load's aftermath falls on whatever runs next (the settlement figures): the planner's
    statistics stay those of the tables before the load until autovacuum's ANALYZE; the first reads of each
    freshly copied row (the simulation's) set its hint bits, dirtying the million rows' pages again;
    autovacuum's insert-triggered VACUUM reads and writes them once more; and the checkpoints that flush those
    gigabytes contend with every settlement's commit for the disk (``IO:WALSync`` waits in
    ``pg_stat_activity``). VACUUM FREEZE sets the hint bits, the visibility map and the frozen state in one pass,
    and the checkpoint writes it all out before the next figure starts. docs/performance.md has the figures."""
    for table in ("admissions", "settlements"):
        await conn.execute(f"VACUUM (FREEZE, ANALYZE) {table}")
    await conn.execute("CHECKPOINT")


async def _simulated(url: str, token: str, database_url: str) -> tuple[str, float]:
    """The simulation's id and wall clock (its row's ``finished_at`` - ``created_at``)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        r = await http.post("/v1/simulations", headers=headers,
                            json={"admdvs": ADMDVS, "year": YEAR, "pack": candidate_document()})
        r.raise_for_status()
        simulation_id = r.json()["simulation_id"]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            state = (await http.get(f"/v1/simulations/{simulation_id}", headers=headers)).json()
            if state["status"] in ("done", "failed"):
                break
            await asyncio.sleep(POLL_SECONDS)
        if state["status"] != "done":
            raise RuntimeError(f"simulation {simulation_id}: {state['status']} {state.get('error')}")
    conn = await asyncpg.connect(database_url)
    try:
        seconds = await conn.fetchval("SELECT extract(epoch FROM finished_at - created_at) FROM simulations "
                                      "WHERE simulation_id = $1", simulation_id)
    finally:
        await conn.close()
    return simulation_id, float(seconds)


async def replay_on_stack(profile: Profile, url: str, token: str, settlements: int, shards: int) -> ReplayFigure:
    database_url = profile.database_url("medfund_adjudication", "postgresql")
    loaded = await load_recorded(database_url, settlements)
    stack_cpu = cpu.StackCpu(profile)
    _, seconds = await _simulated(url, token, database_url)
    spent = stack_cpu.spent()
    postgres = sum(s for part, s in spent.items() if part.startswith("PostgreSQL"))
    return ReplayFigure(settlements, seconds, shards, spent.get("adjudication", 0.0), postgres, loaded)
