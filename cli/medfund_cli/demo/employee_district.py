"""The employee district beside Shizhu: Zhenjiang (321100) under the employee scheme (310).

A few employers with employees under and over 45, retirees (one short of the minimum contribution
years, so refused with the reason) and flexible workers (灵活就业) are registered from one CSV file.
The district is a fund in its steady state, not a new one: the pooled fund's balance from the books
kept before the ledger is brought forward into the year (seed 003's employee fund held about one
year's contributions), and month by month, beside the county's calendar, the district's tax office
declares each employer's month, the flexible workers pay theirs through the tax feed (11% of the
base they chose), and members' hospital stays spend the pooled fund's share of its income
(``Scenario.district_spent_share``). In the last month, once the gateway shows each account's
balance, two stays and two outpatient visits settle with ``acct_used_flag`` 1, so the individual
accounts (310200) pay beside the pooled fund (310100). Amounts and rates come from the 321100 pack
through the services; the figures the district sends (wages, bases, pensions, fees) are the demo's own data.
"""

from __future__ import annotations

import asyncio
import calendar
import csv
import io
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import httpx

from medfund_cli.demo import fees, names, visits
from medfund_cli.demo.certno import FEMALE, MALE, CertnoIssuer
from medfund_cli.demo.gateway import GatewayRefusal, HisClient, HisCredentials
from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.population import Person
from medfund_cli.demo.scenario import YEAR, Scenario, at
from medfund_cli.demo.services import ServiceError, Services
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

DISTRICT, SCHEME = "321100", "310"
TAX_OFFICE = "13211000000"
"""The district's tax office (税务机关代码: 1 + the division code + 4 digits)."""
INSTITUTIONS = (("H32110000001", "镇江京口社区卫生服务中心", "primary"),
                ("H32110000003", "镇江第一人民医院", "tertiary"))
EMPLOYERS = ("E321100001", "E321100002", "E321100003")
EMPLOYEES_PER_AGE_BAND = 10
"""Per employer: this many under 45 and this many from 45 (enough that one stay is a fraction of a month's
pooled income)."""
RETIREE_YEARS = ((MALE, 33), (FEMALE, 27), (MALE, 30), (MALE, 22))
"""(gender, contribution years): the last is short of the pack's minimum and is refused cover."""
FLEXIBLE_WORKERS = 4
POOLED, ACCOUNT = "310100", "310200"
CSV_COLUMNS = ("household_key", "admdvs", "insutype", "year", "tier", "certno", "psn_name", "gend", "brdy", "category",
               "enrolled_on", "employer_code", "retired", "flexible", "contribution_years", "monthly_pension")
POLL_SECONDS, WAIT_SECONDS = 0.5, 90.0
STAY_TRIES = 30
"""Stays drawn in a row whose cost would pass the spending ceiling before the month stops admitting (near the
ceiling only the cheaper stays at the community centre fit)."""


@dataclass
class Member:
    person: Person
    kind: str
    """``in_service``, ``retired`` or ``flexible``."""
    employer: str | None = None
    wage: Money | None = None
    """In service: the prior-year average monthly wage the employer declares."""
    base: Money | None = None
    """A flexible worker's chosen base."""
    pension: Money | None = None
    contribution_years: int | None = None
    refused: bool = False
    """Enrollment refused cover (a retiree short of the minimum contribution years)."""
    credited: Money = field(default_factory=Money.zero)
    """What the declarations and payments put into the individual account (as billing answered)."""


@dataclass
class DistrictStory:
    """What the district did and what the services answered: the summary's part on 321100."""

    members: list[Member] = field(default_factory=list)
    covered: int = 0
    refusals: list[str] = field(default_factory=list)
    declarations: int = 0
    flexible_payments: int = 0
    settlements: list[dict] = field(default_factory=list)
    """The stays and visits paid from the individual accounts."""
    stays: int = 0
    """The month-by-month stays (the individual accounts not used)."""
    brought_forward: Money = field(default_factory=Money.zero)
    pooled_income: Money = field(default_factory=Money.zero)
    """What the declarations and flexible workers' payments put into the pooled fund (as billing answered)."""
    pooled_spent: Money = field(default_factory=Money.zero)
    """What the pooled fund paid: retirees' account credits and its share of every settlement."""
    fund_paid: Money = field(default_factory=Money.zero)
    """Every settlement's fund and account payments: what the district's pools owe its hospitals."""
    notes: list[str] = field(default_factory=list)


def plan(scenario: Scenario) -> list[Member]:
    """The district's people, deterministic for the scenario's seed."""
    rng, issuer = random.Random(scenario.seed * 1000 + 321), CertnoIssuer()
    year_starts = scenario.calendar.year_starts

    def person(born_from: int, born_to: int, gend: str) -> Person:
        brdy = date(rng.randint(born_from, born_to), rng.randint(1, 12), rng.randint(1, 28))
        return Person(issuer.issue(DISTRICT, brdy, gend), names.full_name(rng, names.surname(rng), gend == MALE),
                      gend, brdy, "employee")

    members = []
    for employer in EMPLOYERS:
        for born in ((year_starts.year - 44, year_starts.year - 25),) * EMPLOYEES_PER_AGE_BAND + \
                    ((year_starts.year - 59, year_starts.year - 46),) * EMPLOYEES_PER_AGE_BAND:
            members.append(Member(person(*born, rng.choice((MALE, FEMALE))), "in_service", employer,
                                  wage=Money.from_yuan(rng.randrange(3_000, 16_000, 100))))
    for n, (gend, years) in enumerate(RETIREE_YEARS):
        members.append(Member(person(year_starts.year - 80, year_starts.year - 62, gend), "retired",
                              EMPLOYERS[n % len(EMPLOYERS)], pension=Money.from_yuan(rng.randrange(2_500, 6_000, 50)),
                              contribution_years=years))
    for _ in range(FLEXIBLE_WORKERS):
        members.append(Member(person(year_starts.year - 55, year_starts.year - 25, rng.choice((MALE, FEMALE))),
                              "flexible", base=Money.from_yuan(rng.randrange(3_600, 9_000, 100))))
    return members


def registration_file(members: list[Member], enrolled_on: date) -> bytes:
    """One CSV line per member (each their own household), with the employee-scheme columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for m in members:
        p = m.person
        writer.writerow((f"Z{p.certno}", DISTRICT, SCHEME, YEAR, "", p.certno, p.psn_name, p.gend, p.brdy.isoformat(),
                         "employee", enrolled_on.isoformat(), m.employer if m.kind != "flexible" else "",
                         "true" if m.kind == "retired" else "", "true" if m.kind == "flexible" else "",
                         m.contribution_years if m.contribution_years is not None else "",
                         m.pension.to_yuan() if m.pension else ""))
    return buffer.getvalue().encode()


def months(scenario: Scenario) -> list[date]:
    calendar = scenario.calendar
    return [date(YEAR, month, 1) for month in range(calendar.year_starts.month, calendar.scenario_ends.month + 1)]


class EmployeeDistrict:
    def __init__(self, scenario: Scenario, run_tag: str) -> None:
        self.scenario, self.run_tag = scenario, run_tag
        self.story = DistrictStory(members=plan(scenario))
        self.pack = PackSet.load().in_force(DISTRICT, SCHEME, scenario.calendar.year_starts)
        self.his: dict[str, HisClient] = {}
        self.rng = random.Random(scenario.seed * 1000 + 311)

    async def open(self, api: Services, http: httpx.AsyncClient, adjudication_url: str) -> None:
        """Hospitals and members registered, January's contributions, the balance brought forward; cover shown."""
        self.his = await self._institutions(api, http, adjudication_url)
        await self._register(api)
        await self._contribute(api, months(self.scenario)[0])
        await self._bring_balance_forward(api)
        await self._wait_for_cover(api)

    async def month(self, api: Services, month: date) -> None:
        """The district's month: its contributions (January's came with the opening), then its members' stays;
        in the last month first the stays and visits that pay from the individual accounts."""
        if month != months(self.scenario)[0]:
            await self._contribute(api, month)
        if month == months(self.scenario)[-1]:
            await self._wait_for_balances(self.his["primary"])
            await self._settle(self.his)
        await self._stays(month)

    async def _contribute(self, api: Services, month: date) -> None:
        await self._declare(api, month)
        await self._flexible_pay(api, month)

    async def _bring_balance_forward(self, api: Services) -> None:
        """The pooled fund's balance from the books kept before the ledger: the scenario's share of a year of the
        pooled contributions January brought in."""
        year_of_contributions = self.story.pooled_income.times(Decimal(12))
        amount = year_of_contributions.times(self.scenario.district_brought_forward_share)
        await api.bring_forward(f"{DISTRICT}:{POOLED}:{YEAR}", amount, f"ZJ-{YEAR - 1}-12-31")
        self.story.brought_forward = amount

    async def _institutions(self, api: Services, http: httpx.AsyncClient, url: str) -> dict[str, HisClient]:
        clients = {}
        for code, name, level in INSTITUTIONS:
            credentials = HisCredentials.new(code, self.run_tag)
            await api.register_institution(Institution(code, name, level, Money.from_yuan("5000000.00"),
                                                       Money.from_yuan("5000000.00")), credentials, DISTRICT)
            clients[level] = HisClient(http, url, code, name, credentials, self.run_tag, DISTRICT)
        await asyncio.gather(*(c.sign_in(at(self.scenario.calendar.year_starts)) for c in clients.values()))
        return clients

    async def _register(self, api: Services) -> None:
        report = await api.enroll_file(registration_file(self.story.members, self.scenario.calendar.year_starts
                                                         + timedelta(days=3)))
        if report["rejected"]:
            self.story.notes.append(f"registration refused lines: {report['rejected']}")
        for member in self.story.members:
            found = await api.person_by_certno(member.person.certno)
            member.person.psn_no = found["psn_no"]
            refusal = found["enrollments"][-1]["refusal"]
            if refusal is not None:
                member.refused = True
                self.story.refusals.append(f"{member.person.psn_name} ({member.kind}): {refusal['reason']}, "
                                           f"{refusal['message']}")

    @staticmethod
    def _covered_retiree(member: Member) -> bool:
        return member.kind == "retired" and not member.refused

    async def _declare(self, api: Services, month: date) -> None:
        for employer in EMPLOYERS:
            lines = [m for m in self.story.members if m.employer == employer
                     and (m.kind == "in_service" or self._covered_retiree(m))]
            declaration = {"period": f"{month:%Y-%m}", "admdvs": DISTRICT, "employees": [
                {"certno": m.person.certno, "psn_no": m.person.psn_no, "psn_name": m.person.psn_name,
                 "brdy": m.person.brdy.isoformat(), "retired": m.kind == "retired",
                 **({"monthly_pension": m.pension.to_yuan()} if m.kind == "retired" else
                    {"prior_year_average_monthly_wage": m.wage.to_yuan()})} for m in lines]}
            answer = await _once_billing_knows(partial(api.declare, employer, declaration, TAX_OFFICE))
            by_certno = {line["certno"]: line for line in answer["employees"]}
            for m in lines:
                line = by_certno[m.person.certno]
                m.credited += Money.from_yuan(line["account_amount"])
                if line["kind"] == "account_credited":
                    self.story.pooled_spent += Money.from_yuan(line["account_amount"])
                self.story.pooled_income += Money.from_yuan(line["pool_amount"]) + Money.from_yuan(line["late_fee"])
            self.story.declarations += 1

    async def _flexible_pay(self, api: Services, month: date) -> None:
        """Each flexible worker pays the month on the 20th, on time, 11% of the chosen base (the pack's rate)."""
        rules = self.pack.contributions.employee
        for m in (m for m in self.story.members if m.kind == "flexible"):
            record = {
                "tax_voucher_no": f"ZJ{self.run_tag}{m.person.psn_no}{month:%Y%m}", "certno": m.person.certno,
                "psn_name": m.person.psn_name, "insutype": SCHEME, "admdvs": DISTRICT, "period_year": YEAR,
                "period": f"{month:%Y-%m}", "base": m.base.to_yuan(),
                "amount": m.base.times(rules.flexible_worker_rate).to_yuan(),
                "paid_at": at(month.replace(day=20)).isoformat(), "tax_office_code": TAX_OFFICE, "channel": "etax"}
            answer = await _once_billing_knows(partial(api.pay, record))
            if answer["match"] != "employee_month":
                self.story.notes.append(f"flexible payment of {m.person.psn_name} matched {answer['match']}")
            credit = m.base.times(rules.account_credit_rate(m.person.age_on(month)))
            m.credited += credit
            self.story.pooled_income += m.base.times(rules.flexible_worker_rate) - credit
            self.story.flexible_payments += 1

    async def _wait_for_cover(self, api: Services) -> None:
        expected = [m for m in self.story.members if m.kind != "retired" or self._covered_retiree(m)]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while True:
            covered = 0
            for m in expected:
                if (await api.person(m.person.psn_no))["coverage"]:
                    covered += 1
            self.story.covered = covered
            if covered == len(expected) or loop.time() > deadline:
                break
            await asyncio.sleep(POLL_SECONDS)
        if self.story.covered < len(expected):
            self.story.notes.append(f"only {self.story.covered} of {len(expected)} district members covered")

    async def _wait_for_balances(self, his: HisClient) -> None:
        """Until 1101 shows each covered member's account balance as the contributions credited it."""
        when = at(self.scenario.calendar.scenario_ends)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        for m in (m for m in self.story.members if m.credited > Money.zero()):
            while True:
                try:
                    output = await his.call("1101", when, {"data": {
                        "mdtrt_cert_type": visits.ID_CARD, "mdtrt_cert_no": m.person.certno, "psn_cert_type": "01",
                        "certno": m.person.certno, "psn_name": m.person.psn_name}})
                    balances = [row.get("balc") for row in output.get("insuinfo") or [] if row["insutype"] == SCHEME]
                except GatewayRefusal:
                    balances = []
                if balances and balances[0] is not None and Money.from_yuan(str(balances[0])) == m.credited:
                    break
                if loop.time() > deadline:
                    self.story.notes.append(f"the gateway did not show {m.person.psn_name}'s balance "
                                            f"{m.credited.to_yuan()}")
                    return
                await asyncio.sleep(POLL_SECONDS)

    async def _settle(self, his: dict[str, HisClient]) -> None:
        """Two stays at the tertiary hospital and two visits at the community centre, each paying from the account."""
        rng, end = self.rng, self.scenario.calendar.scenario_ends
        young = next(m for m in self.story.members if m.kind == "in_service"
                     and m.person.age_on(end) < 45)
        older = next(m for m in self.story.members if m.kind == "in_service" and m.person.age_on(end) >= 45)
        retiree = next(m for m in self.story.members if self._covered_retiree(m))
        flexible = next(m for m in self.story.members if m.kind == "flexible")
        plans = [(young, "21", 8), (retiree, "21", 12), (older, "11", 3), (flexible, "11", 5)]
        for member, med_type, day in plans:
            stay, lines = fees.inpatient(rng, "tertiary") if med_type == "21" else (0, fees.outpatient(rng))
            client = his["tertiary" if med_type == "21" else "primary"]
            encounter = visits.Encounter(member.person, med_type, at(end.replace(day=day)) - timedelta(days=stay),
                                         stay, lines, insutype=SCHEME, acct_used_flag="1")
            try:
                settled = await visits.settle(client, encounter, member.person.psn_no)
            except GatewayRefusal as refusal:
                self.story.notes.append(f"{member.person.psn_name} refused at {client.name}: {refusal.err_msg}")
                continue
            self._paid(settled)
            self.story.settlements.append({
                "psn_name": member.person.psn_name, "kind": member.kind, "age": member.person.age_on(end),
                "med_type": med_type, "institution": client.name, "medfee_sumamt": settled.medfee_sumamt.to_yuan(),
                "pooled": settled.funds.get(POOLED, Money.zero()).to_yuan(), "acct_pay": settled.acct_pay.to_yuan(),
                "psn_cash_pay": settled.psn_cash_pay.to_yuan(), "balance_before": member.credited.to_yuan()})

    async def _stays(self, month: date) -> None:
        """Members' stays discharged in ``month`` (at the community centre or the city hospital) until the pooled
        fund has spent ``district_spent_share`` of its income so far; none whose whole cost could take it past
        ``district_spent_ceiling``."""
        patients = [m for m in self.story.members if m.kind == "in_service" or self._covered_retiree(m)]
        target = self.story.pooled_income.times(self.scenario.district_spent_share)
        ceiling = self.story.pooled_income.times(self.scenario.district_spent_ceiling)
        last_day, misses = calendar.monthrange(month.year, month.month)[1], 0
        while self.story.pooled_spent < target and misses < STAY_TRIES:
            level = self.rng.choice(("primary", "tertiary"))
            stay, lines = fees.inpatient(self.rng, level)
            if self.story.pooled_spent + fees.total(lines) > ceiling:
                misses += 1
                continue
            misses = 0
            member = self.rng.choice(patients)
            ends = at(month.replace(day=self.rng.randint(20, last_day)))
            encounter = visits.Encounter(member.person, "21", ends - timedelta(days=stay), stay, lines,
                                         insutype=SCHEME)
            try:
                settled = await visits.settle(self.his[level], encounter, member.person.psn_no)
            except GatewayRefusal as refusal:
                self.story.notes.append(f"{member.person.psn_name} refused at {self.his[level].name}: "
                                        f"{refusal.err_msg}")
                return
            self._paid(settled)
            self.story.stays += 1

    def _paid(self, settled: visits.Settled) -> None:
        self.story.pooled_spent += settled.funds.get(POOLED, Money.zero())
        self.story.fund_paid += settled.fund_pay_sumamt + settled.acct_pay


async def _once_billing_knows(send: Callable[[], Awaitable[dict]]) -> dict:
    """Send, and send again while billing answers ``not_registered``: billing learns of a member from
    enrollment's events, a moment after enrollment answered the registration, as the tax office's system would
    resend a refused declaration. A refusal changes nothing, so resending is safe; a member billing still does
    not know after ``WAIT_SECONDS`` is a real refusal."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        try:
            return await send()
        except ServiceError as refused:
            if refused.code != "not_registered" or asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(POLL_SECONDS)
