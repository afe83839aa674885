"""The story of the demo county, phase by phase, through the services' public interfaces.

1. registry, budgets and the year's appropriations to medical assistance; 2. households enrolled
from CSV, eligible population set, and the employee district beside the county opened (321100,
:mod:`medfund_cli.demo.employee_district`); 3. the tax bureau's files; 4. hospitals settle through the
NHSA gateway as the calendar runs to mid-year, spending ahead of time (the overspending story) or at the
planned share of the pool's income (the healthy year), the district living its months beside; 5. in the
overspending story one hospital overruns its global budget and the operator raises it; 6. the summary.
Business dates follow the simulated calendar throughout.
"""

from __future__ import annotations

import asyncio
import calendar
import dataclasses
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import httpx

from medfund_cli.demo import employee_district, fees, institutions, population, premiums, taxfeed
from medfund_cli.demo.coverage import CoverageProbe
from medfund_cli.demo.employee_district import DistrictStory, EmployeeDistrict
from medfund_cli.demo.gateway import HisClient, HisCredentials
from medfund_cli.demo.hospital import HospitalSimulator
from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.scenario import ADMDVS, YEAR, Plot, Scenario, at, county_pack
from medfund_cli.demo.services import Services, Urls
from medfund_cli.demo.tally import Tally
from medfund_cli.demo.topics import COVERAGE_ACTIVATED, TopicWatcher
from medfund_shared.money import Money
from medfund_shared.settings import Settings

POOLED_POOL = f"{ADMDVS}:390100:{YEAR}"
ASSISTANCE_FUND = "610100"
BURN_MARGIN = "0.06"
"""How far ahead of time the pooled fund's spending must be at the end (above the yellow 5 points)."""
HOT_NEAR, HOT_NEAR_MAX = "0.88", "0.97"
"""The overspending institution is first taken into the yellow band (80-100% of its budget): to at
least the first share, each encounter expected to leave it under the second."""
HOT_OVERRUN = "1.05"
"""How far past its global budget the overspending institution then goes (red is 100%)."""
ADMISSION_TRIES = 50
"""Draws of a case and a patient for the scripted stays before the story says they did not fit."""
WAIT_SECONDS = 90.0
QUIET_SECONDS = 3.0
"""No alert change for this long after the last settlement: the ledger's evaluations have all landed."""


class DemoError(RuntimeError):
    """The story cannot go on; the message says where and why."""


@dataclass
class Story:
    """Everything the demo decided and observed; the summary is drawn from it."""

    scenario: Scenario
    urls: Urls
    tally: Tally = field(default_factory=Tally)
    institutions: list[Institution] = field(default_factory=list)
    credentials: dict[str, HisCredentials] = field(default_factory=dict)
    hot: Institution | None = None
    raised_to: Money | None = None
    expected_feed: taxfeed.FeedExpectation | None = None
    expected_covered: int = 0
    district: DistrictStory | None = None
    dashboard: str = ""
    month_ends: dict[str, list[dict]] = field(default_factory=dict)
    """The healthy year: the pool alerts firing at each month end it passed (ISO date → alerts)."""
    appropriated: dict[str, Money] = field(default_factory=dict)
    """Appropriations recorded to medical assistance, by source."""
    notes: list[str] = field(default_factory=list)


class Demo:
    def __init__(self, scenario: Scenario, urls: Urls, settings: Settings) -> None:
        self.scenario, self.settings = scenario, settings
        self.story = Story(scenario, urls)
        self.watcher = TopicWatcher(settings)
        self.pack = county_pack(scenario)
        self.run_tag = secrets.token_hex(2)
        self.district = EmployeeDistrict(scenario, self.run_tag)

    @property
    def tally(self) -> Tally:
        return self.story.tally

    async def run(self, finale: Callable[[Services, HospitalSimulator], Awaitable[None]]) -> Story:
        """Tell the story, then hand the services and the running hospitals to ``finale`` (the summary)."""
        async with httpx.AsyncClient(timeout=httpx.Timeout(120.0)) as http:
            api = Services(http, self.story.urls, self.settings, self.scenario.tax_office_code)
            self.tally.phase = "waiting for the services"
            await api.ready()
            await self.watcher.start()
            try:
                hospital = await self._story(api, http)
                await finale(api, hospital)
            finally:
                await self.watcher.stop()
        return self.story

    async def _story(self, api: Services, http: httpx.AsyncClient) -> HospitalSimulator:
        scenario, tally = self.scenario, self.tally
        tally.phase = "generating the county"
        households = await asyncio.to_thread(population.generate, scenario)
        if scenario.plot is Plot.HEALTHY:
            income = await asyncio.to_thread(premiums.pooled_income, self.pack, households, YEAR)
            scenario = self.scenario = self.story.scenario = dataclasses.replace(scenario, yearly_income=income,
                                                                                 expensive_share=0.0)
        payers = await asyncio.to_thread(taxfeed.plan_payers, scenario, self.pack, households)
        lines = taxfeed.feed_lines(scenario, payers)
        self.story.expected_feed = taxfeed.expectation(lines)
        await self._registry(api)
        await self._enroll(api, households)
        tally.phase = "the employee district (321100): hospitals, registrations, January, the balance brought forward"
        await self.district.open(api, http, self.story.urls.adjudication)
        self.story.district = self.district.story
        files = taxfeed.files(scenario, lines)
        window_files = [f for f in files if f[0] <= scenario.calendar.window_closes]
        await self._send_files(api, window_files)
        his = {i.code: HisClient(http, self.story.urls.adjudication, i.code, i.name, self.story.credentials[i.code],
                                 self.run_tag)
               for i in self.story.institutions}
        await asyncio.gather(*(client.sign_in(at(scenario.calendar.year_starts)) for client in his.values()))
        outsiders = population.outsiders(scenario, 5 + scenario.scale // 1000)
        hospital = HospitalSimulator(scenario, self.pack, payers, outsiders, self.story.institutions, his, tally)
        if scenario.plot is Plot.HEALTHY:
            hospital.city_hospital_open = self._catastrophic_on_pace
        probe = CoverageProbe(next(iter(his.values())), {p.person.certno: p.person for p in payers})
        in_window = [p for p in payers if p.cover_from is not None and
                     (p.paid_on is None or p.paid_on <= scenario.calendar.window_closes)]
        self.story.expected_covered = len(in_window)
        await self._wait_for_cover(len(in_window), probe, scenario.calendar.year_starts)
        hospital.admit(in_window)
        paid_in_full = {p.person.certno: p for p in payers if p.cover_from is not None and p.paid_on is not None}
        later = {day: self._milestone(api, hospital, probe, day, chunk, paid_in_full)
                 for day, chunk in files[len(window_files):]}
        later = self._with_district_months(api, later)
        later = self._with_primary_stays(hospital, households, later)
        if scenario.plot is Plot.HEALTHY:
            later = self._with_month_ends(api, later)
        tally.phase = "hospitals settling"
        pace = self._overspend_pace if scenario.plot is Plot.OVERSPENDING else self._planned_pace
        await hospital.run_days(scenario.calendar.year_starts, scenario.calendar.scenario_ends, pace,
                                milestones=later)
        if scenario.plot is Plot.OVERSPENDING:
            await self._overrun(api, hospital)
        await self._settle(api)
        tally.phase = "done"
        self.story.dashboard = api.dashboard_link()
        return hospital

    # --- phases ---------------------------------------------------------------------------

    async def _registry(self, api: Services) -> None:
        """Institutions with budgets in adjudication and the ledger, catalogue entries, the pool budget."""
        self.tally.phase = "registering institutions and budgets"
        self.story.institutions = institutions.with_budgets(self.scenario, institutions.county_registry())
        self.story.hot = next(i for i in self.story.institutions
                              if i.code == institutions.hot_code(institutions.county_registry()))
        for institution in self.story.institutions:
            credentials = self.story.credentials[institution.code] = HisCredentials.new(institution.code, self.run_tag)
            await api.register_institution(institution, credentials)
            await api.set_institution_budget(institution.code, institution.annual_budget)
        for item in fees.CATALOGUE.values():
            await api.put_catalogue_item(item.code, item.name, item.item_class, item.ceiling)
        await api.set_pool_budget(POOLED_POOL, self.scenario.planned_income, self.scenario.planned_expenditure)
        await self._appropriations(api)

    async def _appropriations(self, api: Services) -> None:
        """Civil affairs and finance fund medical assistance for the year (the catastrophic pool is financed by
        the ledger itself, per covered person)."""
        self.tally.phase = "appropriations to medical assistance"
        received = at(self.scenario.appropriations_received).isoformat()
        for source, amount in self.scenario.appropriations().items():
            await api.record_appropriation({
                "appropriation_id": f"{ADMDVS}-{ASSISTANCE_FUND}-{YEAR}-{source}", "admdvs": ADMDVS,
                "fund_pay_type": ASSISTANCE_FUND, "year": YEAR, "amount": amount.to_yuan(), "received_at": received,
                "source": source, "voucher_no": f"{source.upper()}-{YEAR}-001"})
            self.story.appropriated[source] = amount

    async def _reimburse_assistance(self, api: Services, day: date) -> bool:
        """Medical assistance is advanced and settled (预拨 + 清算): the opening appropriations are the advance,
        and at each month end finance reimburses what the fund paid that month (the assisted people's stays and the
        premiums it sponsors), read from the ledger, so the fund holds its advance again. True if money was booked
        (then once the ledger shows it as income)."""
        pool = f"{ADMDVS}:{ASSISTANCE_FUND}:{YEAR}"
        figures = next((p for p in await api.pools() if p["pool_id"] == pool), None)
        if figures is None:
            return False
        opening = sum(self.scenario.appropriations().values(), Money.zero())
        reimbursed = sum(self.story.appropriated.values(), Money.zero()) - opening
        due = Money.from_yuan(figures["expenditure"]) - reimbursed
        if due <= Money.zero():
            return False
        self.tally.phase = f"medical assistance reimbursed for {day:%Y-%m}"
        await api.record_appropriation({
            "appropriation_id": f"{ADMDVS}-{ASSISTANCE_FUND}-{YEAR}-finance-{day:%m}", "admdvs": ADMDVS,
            "fund_pay_type": ASSISTANCE_FUND, "year": YEAR, "amount": due.to_yuan(), "received_at": at(day).isoformat(),
            "source": "finance", "voucher_no": f"FINANCE-{YEAR}-{day:%m}-SETTLE"})
        self.story.appropriated["finance"] = self.story.appropriated.get("finance", Money.zero()) + due
        income = Money.from_yuan(figures["income"]) + due

        async def booked() -> bool:
            return any(p["pool_id"] == pool and Money.from_yuan(p["income"]) >= income for p in await api.pools())
        await self._wait(booked, f"the ledger to book medical assistance's reimbursement for {day:%Y-%m}")
        return True

    async def _enroll(self, api: Services, households: list[population.Household]) -> None:
        self.tally.phase = "enrolling households"
        await api.set_eligible(self.scenario.eligible)
        size = self.scenario.enrollment_batch_households
        for start in range(0, len(households), size):
            chunk = households[start:start + size]
            report = await api.enroll(chunk)
            self.tally.households += len(chunk)
            self.tally.enrolled += int(report["accepted"]) + int(report["duplicates"])
            self.tally.enrollment_rejected += len(report["rejected"])
        await self._wait(lambda: self._billing_knows(api), "billing to open every person's premium account")

    async def _billing_knows(self, api: Services) -> bool:
        return int((await api.collection_statistics())["persons"]) >= self.tally.enrolled

    async def _send_files(self, api: Services, files: list[tuple[date, list[taxfeed.FeedLine]]]) -> None:
        self.tally.phase = "tax bureau files"
        for number, (day, chunk) in enumerate(files):
            self.tally.business_day = day.isoformat()
            csv_file = number % 2 == 1
            body = taxfeed.to_csv(chunk) if csv_file else taxfeed.to_ndjson(chunk)
            batch_id = await api.send_tax_file(body, "text/csv" if csv_file else "application/x-ndjson")
            self.tally.tax_lines_sent += len(chunk)
            report = await api.tax_batch_report(batch_id)
            self.tally.tax_accepted += int(report["accepted"])
            self.tally.tax_duplicates += int(report["duplicates"])
            self.tally.tax_rejected += report["rejected"]

    def _milestone(self, api: Services, hospital: HospitalSimulator, probe: CoverageProbe, day: date,
                   chunk: list[taxfeed.FeedLine], paid_in_full: dict[str, taxfeed.Payer]
                   ) -> Callable[[], Awaitable[None]]:
        """A later tax file arrives on its business date; its payers fall ill once the gateway knows their cover."""
        async def arrive() -> None:
            phase = self.tally.phase
            before = self.watcher.counts.count(COVERAGE_ACTIVATED)
            await self._send_files(api, [(day, chunk)])
            payers = [paid_in_full[line.record["certno"]] for line in chunk
                      if line.kind is taxfeed.LineKind.GOOD and line.record["certno"] in paid_in_full]
            await self._wait_for_cover(before + len(payers), probe, day)
            hospital.admit(payers)
            self.tally.phase = phase
        return arrive

    def _with_district_months(self, api: Services, milestones: dict[date, Callable[[], Awaitable[None]]]
                              ) -> dict[date, Callable[[], Awaitable[None]]]:
        """``milestones`` plus, on the last day of each of the district's months, that month of the district."""
        result = dict(milestones)
        for month in employee_district.months(self.scenario):
            last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            result[last] = self._district_month(api, month, result.get(last))
        return result

    def _district_month(self, api: Services, month: date, before: Callable[[], Awaitable[None]] | None
                        ) -> Callable[[], Awaitable[None]]:
        async def live() -> None:
            if before is not None:
                await before()
            phase = self.tally.phase
            self.tally.phase = f"the employee district (321100): {month:%Y-%m}"
            await self.district.month(api, month)
            self.tally.phase = phase
        return live

    def _with_primary_stays(self, hospital: HospitalSimulator, households: list[population.Household],
                            milestones: dict[date, Callable[[], Awaitable[None]]]
                            ) -> dict[date, Callable[[], Awaitable[None]]]:
        """``milestones`` plus, in January, tier-1 residents' stays at township health centres."""
        day, wanted = self.scenario.calendar.primary_stays_end, self.scenario.tier1_primary_stays
        tier1 = {person.certno for household in households if household.tier == "tier1"
                 for person in household.members}
        before = milestones.get(day)

        async def admit() -> None:
            if before is not None:
                await before()
            admitted = 0
            for _ in range(ADMISSION_TRIES):
                if admitted == wanted:
                    break
                admitted += await hospital.admit_at_level(day, "primary", lambda person: person.certno in tier1)
            await hospital.pacer.drain()
            if admitted < wanted:
                self.story.notes.append(f"only {admitted} of {wanted} tier-1 stays fitted a township health centre")
        return {**milestones, day: admit}

    def _with_month_ends(self, api: Services, milestones: dict[date, Callable[[], Awaitable[None]]]
                         ) -> dict[date, Callable[[], Awaitable[None]]]:
        """``milestones`` plus, at each month end, the pool alerts firing once the ledger has booked the month."""
        calendar, result = self.scenario.calendar, dict(milestones)
        for day in calendar.days(calendar.year_starts, calendar.scenario_ends):
            if (day + timedelta(days=1)).day == 1:
                result[day] = self._month_end(api, day, result.get(day))
        return result

    def _month_end(self, api: Services, day: date, before: Callable[[], Awaitable[None]] | None
                   ) -> Callable[[], Awaitable[None]]:
        async def read() -> None:
            if before is not None:
                await before()
            phase = self.tally.phase
            await self._settle(api)
            if await self._reimburse_assistance(api, day):
                await self._settle(api)
            self.story.month_ends[day.isoformat()] = [a for a in await api.alerts("firing")
                                                      if a["subject_type"] == "pool"]
            self.tally.phase = phase
        return read

    async def _wait_for_cover(self, expected: int, probe: CoverageProbe, day: date) -> None:
        """Until ``expected`` activations are on the topic and the gateway shows the latest of each partition."""
        counts, tally = self.watcher.counts, self.tally

        async def activated() -> bool:
            tally.phase = f"coverage activating ({counts.count(COVERAGE_ACTIVATED):,} of {expected:,} events)"
            return counts.count(COVERAGE_ACTIVATED) >= expected
        await self._wait(activated, f"{expected} coverage activations", required=False)
        latest = set(counts.latest_activation.values())

        async def shown() -> bool:
            missing = await probe.missing(latest, at(day))
            tally.phase = f"gateway learning the cover ({len(latest) - missing} of {len(latest)} partitions)"
            return not missing
        await self._wait(shown, "the gateway to show the activated cover", required=False)

    async def live_on(self, hospital: HospitalSimulator, day_seconds: float) -> None:
        """After the story: the county lives on to the year's end at the planned pace, every budget open in full."""
        calendar = self.scenario.calendar
        start, paid = calendar.scenario_ends, self.tally.pooled
        planned = self.scenario.planned_expenditure
        self.tally.phase = "living county (Ctrl-C to stop)"
        hospital.router.routine_use = Decimal(1)
        await hospital.run_days(start + timedelta(days=1), calendar.year_ends,
                                lambda day: paid + planned.times(calendar.elapsed(day) - calendar.elapsed(start)),
                                day_seconds=day_seconds, stop_when_unreachable=True)
        self.tally.phase = "the year is over"

    def _catastrophic_on_pace(self, day: date) -> bool:
        """The healthy year: stays at the city hospitals, the ones whose self-pay reaches the catastrophic
        insurance's threshold, only while its claims are within the premiums financed for the year so far (seed 000:
        收支平衡、保本微利). In a county of a few hundred people two or three such claims more or less would put it
        past the year's premiums by June."""
        per_person, fund = self.pack.financing.catastrophic_per_person, self.pack.funds.catastrophic
        if per_person is None or fund is None:
            return True
        financed = per_person.times(Decimal(self.story.expected_covered))
        return self.tally.by_fund.get(fund.code, Money.zero()) < financed.times(self.scenario.calendar.elapsed(day))

    def _planned_pace(self, day: date) -> Money:
        """Pooled-fund spending by ``day`` in the healthy year: the planned expenditure, accrued evenly."""
        return self.scenario.planned_expenditure.times(self.scenario.calendar.elapsed(day))

    def _overspend_pace(self, day: date) -> Money:
        """Pooled-fund spending by ``day``: seed 004's mid-year share of the amount due, accrued evenly."""
        calendar = self.scenario.calendar
        at_end = self.scenario.amount_due.times(self.scenario.spent_share_at_end)
        return at_end.times(calendar.elapsed(day) / calendar.elapsed(calendar.scenario_ends))

    async def _overrun(self, api: Services, hospital: HospitalSimulator) -> None:
        """Spending ahead of time, one institution over its budget; then the operator raises it."""
        scenario, tally, hot = self.scenario, self.tally, self.story.hot
        end = scenario.calendar.scenario_ends
        needed = scenario.planned_expenditure.times(scenario.calendar.elapsed(end) + Decimal(BURN_MARGIN))
        tally.phase = "spending ahead of time"
        await hospital.top_up(end, lambda: tally.pooled >= needed)
        await self._wait(lambda: self._alert_seen("burn_pace", POOLED_POOL, "firing"), "burn_pace to fire",
                         required=False)
        tally.phase = f"{hot.name} nearing its budget"
        budget = hot.annual_budget
        if not await hospital.approach(end, hot, budget.times(Decimal(HOT_NEAR)), budget.times(Decimal(HOT_NEAR_MAX))):
            self.story.notes.append(f"{hot.name} could not be taken into the yellow band without passing it")
        await self._wait(lambda: self._alert_seen("institution_budget", hot.code, "firing", "yellow"),
                         "the institution budget alert to turn yellow", required=False)
        tally.phase = f"{hot.name} overrunning its budget"
        await hospital.approach(end, hot, budget.times(Decimal(HOT_OVERRUN)))
        await self._wait(lambda: self._alert_seen("institution_budget", hot.code, "firing", "red"),
                         "the institution budget alert to turn red", required=False)
        tally.phase = "operator raises the budget"
        self.story.raised_to = institutions.raised_budget(tally.by_institution[hot.code], scenario)
        await api.set_institution_budget(hot.code, self.story.raised_to)
        hospital.router.raise_budget(hot.code, self.story.raised_to)
        await self._wait(lambda: self._alert_seen("institution_budget", hot.code, "resolved"),
                         "the institution budget alert to resolve", required=False)

    async def _settle(self, api: Services) -> None:
        """The summary is read once the ledger has booked every settlement and the alerts have quietened."""
        loop, counts = asyncio.get_running_loop(), self.watcher.counts
        self.tally.phase = "the ledger booking the last settlements"
        await self._wait(lambda: self._ledger_booked(api), "the ledger to book every settlement", required=False)
        self.tally.phase = "the last alert evaluations"
        waiting_since = loop.time()

        async def quiet() -> bool:
            return loop.time() - max(counts.last_alert_at, waiting_since) >= QUIET_SECONDS
        await self._wait(quiet, "the alerts topic to quieten", required=False)

    async def _ledger_booked(self, api: Services) -> bool:
        """Nothing is cleared in the demo: what the pools of the county and of the district owe the institutions is
        what the settlements paid (their expenditure also holds the transfers and the sponsored premiums)."""
        pools = await api.pools()

        def payable(admdvs: str) -> Money:
            return sum((Money.from_yuan(p["payable"]) for p in pools
                        if p["admdvs"] == admdvs and int(p["year"]) == YEAR), Money.zero())
        return (payable(ADMDVS) == self.tally.fund_paid
                and payable(employee_district.DISTRICT) == self.district.story.fund_paid)

    async def _alert_seen(self, rule: str, subject: str, state: str, severity: str | None = None) -> bool:
        return any(a["subject_id"] == subject and (severity is None or a["severity"] == severity)
                   for a in self.watcher.counts.alert_changes(rule, state))

    async def _wait(self, condition: Callable[[], Awaitable[bool]], what: str, required: bool = True) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while not await condition():
            if loop.time() > deadline:
                if required:
                    raise DemoError(f"gave up waiting for {what}")
                self.story.notes.append(f"gave up waiting for {what} after {WAIT_SECONDS:.0f}s")
                return
            await asyncio.sleep(0.5)
