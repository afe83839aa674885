"""The hospital simulator: encounters day by day through the simulated calendar, paced by spending.

Each simulated day the county's pooled-fund spending is driven up to a target (the story's pace)
by starting encounters: outpatient visits at township clinics and admissions (ordinary,
maternity, now and then a very expensive one). Only people admitted to the simulation (their cover
seen at the gateway) are treated, except for a few uncovered ones whose refusals the gateway should
show. Encounters run concurrently, started no faster than the scenario's rate.
"""

from __future__ import annotations

import asyncio
import bisect
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import httpx

from medfund_cli.demo import fees, visits
from medfund_cli.demo.gateway import GatewayRefusal, HisClient
from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.population import Person
from medfund_cli.demo.routing import Router
from medfund_cli.demo.scenario import Scenario, at
from medfund_cli.demo.tally import Tally
from medfund_cli.demo.taxfeed import Payer
from medfund_shared.money import Money
from medfund_shared.policy.schema import PolicyPack

INPATIENT_LEVELS = {"primary": 0.35, "secondary": 0.40, "tertiary": 0.25}
FIRST_GUESS = {"outpatient": Money.from_yuan(40), "inpatient": Money.from_yuan(2_500)}
"""Starting estimates of pooled-fund payment per encounter; replaced by the observed mean."""
INPATIENT_AGE_WEIGHT = ((60, 1.0), (18, 0.35), (0, 0.25))


class StackUnreachable(RuntimeError):
    """The services stopped answering (e.g. ``make down`` under the living county): nothing more to drive."""


@dataclass(frozen=True)
class Planned:
    encounter: visits.Encounter
    institution: Institution
    cost: Money
    """Medical cost: the most the funds can pay; counted against the institution while in flight."""


class Pacer:
    """Starts at most ``rate`` encounters a second and at most ``concurrency`` at a time."""

    def __init__(self, rate: float, concurrency: int) -> None:
        self._interval, self._next = 1.0 / rate, 0.0
        self._slots = asyncio.Semaphore(concurrency)
        self.tasks: set[asyncio.Task] = set()

    async def start(self, work: Awaitable[None]) -> None:
        loop = asyncio.get_running_loop()
        wait = self._next - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        self._next = max(self._next, loop.time()) + self._interval
        await self._slots.acquire()
        task = asyncio.create_task(self._run(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, work: Awaitable[None]) -> None:
        try:
            await work
        finally:
            self._slots.release()

    async def drain(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


class Track:
    """One kind of spending (outpatient or inpatient) with its observed mean and what is in flight."""

    def __init__(self, name: str) -> None:
        self.name, self.in_flight, self.done, self.total = name, 0, 0, Money.zero()

    @property
    def mean(self) -> Money:
        if self.done < 5:
            return FIRST_GUESS[self.name]
        return max(self.total.times(Decimal(1) / self.done), Money(100))

    def projected(self, paid: Money) -> Money:
        return paid + self.mean.times(Decimal(self.in_flight))


class HospitalSimulator:
    def __init__(self, scenario: Scenario, pack: PolicyPack, payers: list[Payer], outsiders: list[Person],
                 institutions: list[Institution], his: dict[str, HisClient], tally: Tally) -> None:
        self.scenario, self.tally, self.his = scenario, tally, his
        self.rng = random.Random(scenario.seed + 3)
        self.covered: list[Payer] = []
        self._cover_days: list[date] = []
        self.uncovered = [p.person for p in payers if p.cover_from is None] + outsiders
        self.router = Router(institutions, tally, scenario.routine_budget_use)
        self.outpatient_cap = pack.outpatient.annual_payment_cap if pack.outpatient else None
        self.outpatient_paid: dict[str, Money] = {}
        self.busy: set[str] = set()
        self.psn_nos: dict[str, str] = {}
        self.tracks = {"outpatient": Track("outpatient"), "inpatient": Track("inpatient")}
        self.pacer = Pacer(scenario.rate, scenario.concurrency)
        self.encounters = 0
        self.unreachable: str | None = None
        """Why the last request could not reach the services (connection refused, reset, timed out), if any."""
        self.city_hospital_open: Callable[[date], bool] = lambda _day: True
        """Whether an inpatient drawn for a tertiary hospital goes there on ``day`` (else to a secondary one)."""
        self.uncovered_every = max(1, round(1 / scenario.uncovered_share)) if scenario.uncovered_share > 0 else 0
        """Someone without cover comes in with the first encounter and then once in this many (0: never)."""

    def admit(self, payers: Iterable[Payer]) -> None:
        """From now on these covered people may fall ill: the gateway has been seen to know their cover."""
        for payer in payers:
            index = bisect.bisect_right(self._cover_days, payer.cover_from)
            self.covered.insert(index, payer)
            self._cover_days.insert(index, payer.cover_from)

    # --- the calendar ---------------------------------------------------------------------

    async def run_days(self, first: date, last: date, target: Callable[[date], Money],
                       milestones: dict[date, Callable[[], Awaitable[None]]] | None = None,
                       day_seconds: float = 0.0, stop_when_unreachable: bool = False) -> None:
        """Drive the pooled-fund spending up to ``target(day)`` for every day from ``first`` to ``last``.

        ``stop_when_unreachable``: raise :class:`StackUnreachable` at the end of the first day whose requests
        could not reach the services (the living county after ``make down``), instead of going on failing."""
        share = self.scenario.outpatient_fund_share
        daily_cap = max(10, self.scenario.scale // 20)
        for day in self.scenario.calendar.days(first, last):
            self.tally.business_day = day.isoformat()
            goal = target(day)
            goals = {"outpatient": goal.times(share), "inpatient": goal.times(1 - share)}
            paid = {"outpatient": self.tally.outpatient_pooled, "inpatient": self.tally.inpatient_pooled}
            for name, track in self.tracks.items():
                started = 0
                while started < daily_cap and track.projected(paid[name]) < goals[name]:
                    await self.start_encounter(day, name)
                    started += 1
                    paid = {"outpatient": self.tally.outpatient_pooled, "inpatient": self.tally.inpatient_pooled}
            if milestones and day in milestones:
                await self.pacer.drain()
                await milestones[day]()
            if stop_when_unreachable and self.unreachable:
                await self.pacer.drain()
                raise StackUnreachable(f"the services stopped answering on {day.isoformat()}: {self.unreachable}")
            if day_seconds:
                await asyncio.sleep(day_seconds)
        await self.pacer.drain()

    async def top_up(self, day: date, reached: Callable[[], bool], limit: int = 500) -> None:
        """Admit more patients on ``day`` until ``reached()`` holds (or ``limit`` tries)."""
        for _ in range(limit):
            await self.pacer.drain()
            if reached():
                return
            await self.start_encounter(day, "inpatient")
        await self.pacer.drain()

    async def approach(self, day: date, institution: Institution, mark: Money, ceiling: Money | None = None,
                       limit: int = 2_000) -> bool:
        """Patients at ``institution`` until its fund payments reach ``mark``, each expected to stay under
        ``ceiling``: admissions while they fit, clinic visits closer to it. False if it cannot get there."""
        for _ in range(limit):
            await self.pacer.drain()
            paid = self.tally.by_institution.get(institution.code, Money.zero())
            if paid >= mark:
                return True
            for track in ("inpatient", "outpatient"):
                if await self.start_encounter(day, track, institution, ceiling):
                    break
        return False

    async def start_encounter(self, day: date, track: str, institution: Institution | None = None,
                              ceiling: Money | None = None) -> bool:
        """Plan and start one encounter; False when nobody fits (or it would take ``institution`` past ``ceiling``)."""
        planned = self._plan(day, track, institution)
        if planned is None:
            return False
        if ceiling is not None and self.router.committed(planned.institution) + planned.cost > ceiling:
            return False
        await self._start(planned, track, reversible=True)
        if self.uncovered_every and self.encounters % self.uncovered_every == 0:
            await self.pacer.start(self._uncovered(day))
        self.encounters += 1
        return True

    async def admit_at_level(self, day: date, level: str, eligible: Callable[[Person], bool]) -> bool:
        """One ordinary admission discharged on ``day`` at the institution of ``level`` with the most room, of
        someone for whom ``eligible`` holds, never reversed: a stay the story needs (False: none fits today)."""
        stay, lines = fees.inpatient(self.rng, level)
        cost = fees.total(lines)
        institution = self.router.choose([level], cost)
        admitted = day - timedelta(days=stay)
        person = self._patient(admitted, eligible) if institution is not None else None
        if institution is None or person is None:
            return False
        encounter = visits.Encounter(person, "21", at(admitted, self.rng.randint(8 * 3600, 20 * 3600)), stay, lines)
        await self._start(Planned(encounter, institution, cost), "inpatient", reversible=False)
        return True

    async def _start(self, planned: Planned, track: str, reversible: bool) -> None:
        self.tracks[track].in_flight += 1
        self.busy.add(planned.encounter.person.certno)
        self.router.start(planned.institution, planned.cost)
        await self.pacer.start(self._treat(planned, track, reversible))

    # --- one encounter --------------------------------------------------------------------

    def _plan(self, day: date, track: str, institution: Institution | None) -> Planned | None:
        """Who falls ill, with what, and where: ``institution`` if given, else where the budgets leave room."""
        rng = self.rng
        if track == "outpatient":
            lines = fees.outpatient(rng)
            place = self._place(rng.choice(["primary"] * 9 + ["secondary"]), lambda _: (0, lines), institution)
            person = self._patient(day, self._outpatient_room)
            if place is None or person is None:
                return None
            where, (_, lines) = place
            return Planned(visits.Encounter(person, "11", at(day, rng.randint(8 * 3600, 17 * 3600)), 0, lines),
                           where, fees.total(lines))
        roll, place, med_type, expensive = rng.random(), None, "21", False
        if institution is None and roll < self.scenario.expensive_share:
            case = fees.expensive(rng)
            place = self._place("tertiary", lambda _: case, None, fall_back=False)
            expensive = place is not None
        elif roll < self.scenario.expensive_share + self.scenario.maternity_share:
            case = fees.maternity(rng)
            place = self._place(rng.choice(["primary", "secondary"]), lambda _: case, institution)
            med_type = "52" if place is not None else "21"
        if place is None:
            level = rng.choices(list(INPATIENT_LEVELS), list(INPATIENT_LEVELS.values()))[0]
            if level == "tertiary" and not self.city_hospital_open(day):
                level = "secondary"
            place = self._place(level, lambda at_level: fees.inpatient(rng, at_level), institution)
        if place is None:
            return None
        where, (stay, lines) = place
        admitted = day - timedelta(days=stay)
        person = self._patient(admitted, self._maternity_age if med_type == "52" else self._inpatient_age)
        if person is None:
            return None
        return Planned(visits.Encounter(person, med_type, at(admitted, rng.randint(8 * 3600, 20 * 3600)), stay, lines,
                                        expensive), where, fees.total(lines))

    def _place(self, level: str, case_at: Callable[[str], tuple[int, list[fees.FeeLine]]],
               institution: Institution | None, fall_back: bool = True
               ) -> tuple[Institution, tuple[int, list[fees.FeeLine]]] | None:
        """(institution, (stay, fee lines)): at ``level`` if the case fits there, else at another level."""
        if institution is not None:
            return institution, case_at(institution.level)
        others = [other for other in INPATIENT_LEVELS if other != level] if fall_back else []
        for candidate in [level, *others]:
            case = case_at(candidate)
            chosen = self.router.choose([candidate], fees.total(case[1]))
            if chosen is not None:
                return chosen, case
        return None

    async def _treat(self, planned: Planned, track: str, reversible: bool) -> None:
        encounter, institution = planned.encounter, planned.institution
        his, person = self.his[institution.code], encounter.person
        kind = "expensive" if encounter.expensive else {"11": "outpatient", "21": "inpatient", "52": "maternity"}[
            encounter.med_type]
        try:
            psn_no = self.psn_nos.get(person.certno) or await visits.read_card(his, person, encounter.begins)
            self.psn_nos[person.certno] = psn_no
            settled = await visits.settle(his, encounter, psn_no)
            self.tally.settled += 1
            self.tally.kinds[kind] += 1
            self.tally.record(institution.code, track, settled)
            self._count(track, settled, person, reversal=False)
            if reversible and self.rng.random() < self.scenario.reversal_share:
                reversal = await visits.reverse(his, settled, encounter.ends + timedelta(hours=2))
                self.tally.reversed += 1
                self.tally.record(institution.code, track, reversal)
                self._count(track, reversal, person, reversal=True)
        except GatewayRefusal as refusal:
            self.tally.refused(person.certno, refusal.err_msg, expected=False)
        except httpx.HTTPError as error:
            self._failed(error)
            self.tally.refused(person.certno, f"{type(error).__name__}: {error}", expected=False)
        finally:
            self.tracks[track].in_flight -= 1
            self.busy.discard(person.certno)
            self.router.finish(institution, planned.cost)

    async def _uncovered(self, day: date) -> None:
        """Someone without cover comes in: the card reading or the admission must be refused."""
        if not self.uncovered:
            return
        person = self.rng.choice(self.uncovered)
        institution = self.rng.choice(self.router.by_level["primary"])
        encounter = visits.Encounter(person, "11", at(day, 10 * 3600), 0, fees.outpatient(self.rng))
        his = self.his[institution.code]
        try:
            psn_no = await visits.read_card(his, person, encounter.begins)
            await visits.settle(his, encounter, psn_no)
        except GatewayRefusal as refusal:
            self.tally.refused(person.certno, refusal.err_msg, expected=True)
            return
        except httpx.HTTPError as error:
            self._failed(error)
            self.tally.refused(person.certno, f"{type(error).__name__}: {error}", expected=False)
            return
        self.tally.refused(person.certno, f"{person.category} without cover was settled", expected=False)

    def _failed(self, error: httpx.HTTPError) -> None:
        if isinstance(error, httpx.TransportError):
            self.unreachable = f"{type(error).__name__}: {error or 'no answer'}"

    # --- choices ------------------------------------------------------------------------

    def _count(self, track: str, settled: visits.Settled, person: Person, reversal: bool) -> None:
        pooled = settled.funds.get("390100", Money.zero())
        state = self.tracks[track]
        state.done += 0 if reversal else 1
        state.total += pooled
        if track == "outpatient":
            self.outpatient_paid[person.certno] = self.outpatient_paid.get(person.certno, Money.zero()) + pooled

    def _patient(self, day: date, eligible: Callable[[Person], bool], tries: int = 30) -> Person | None:
        """A covered person (cover started by ``day``), not in hospital now, for whom ``eligible`` holds."""
        count = bisect.bisect_right(self._cover_days, day)
        for _ in range(tries if count else 0):
            person = self.covered[self.rng.randrange(count)].person
            if person.certno not in self.busy and eligible(person):
                return person
        return None

    def _outpatient_room(self, person: Person) -> bool:
        paid = self.outpatient_paid.get(person.certno, Money.zero())
        return self.outpatient_cap is None or paid < self.outpatient_cap

    def _inpatient_age(self, person: Person) -> bool:
        age = person.age_on(self.scenario.calendar.year_starts)
        weight = next(w for floor, w in INPATIENT_AGE_WEIGHT if age >= floor)
        return self.rng.random() < weight

    def _maternity_age(self, person: Person) -> bool:
        return person.gend == "2" and 20 <= person.age_on(self.scenario.calendar.year_starts) <= 40
