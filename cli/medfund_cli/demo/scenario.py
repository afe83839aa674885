"""The demo's knobs and its simulated calendar.

Every number that shapes the story is a field here with a documented default; money amounts
and rates of the scheme itself come from the policy pack, never from this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.policy.schema import PolicyPack

ADMDVS = "500240"
INSUTYPE = "390"
YEAR = 2026
REAL_POPULATION = 461_843
"""Shizhu's insured residents (policy-reference.md §1, seed 004)."""
REAL_AMOUNT_DUE = Money.from_yuan("134191600")
"""The county's annual amount due (应筹) in yuan (policy-packs.md, seed 004)."""
POPULATION_MIX = {
    "ordinary": 424_886,
    "dibao": 21_494,
    "disabled": 7_608,
    "tekun": 1_231,
    "entitled": 1_990,
    "family_planning": 4_634,
}
"""Seed 004's category mix; ``ordinary`` splits into adult/minor/student by age."""


@dataclass(frozen=True)
class Calendar:
    """Business dates of the story: window for 2026, late payments, the first half of 2026."""

    window_opens: date = date(2025, 9, 1)
    window_closes: date = date(2025, 12, 31)
    grace_ends: date = date(2026, 2, 28)
    late_ends: date = date(2026, 4, 30)
    year_starts: date = date(2026, 1, 1)
    scenario_ends: date = date(2026, 6, 30)
    """Mid-year: the seed 004 figures are mid-year figures."""
    year_ends: date = date(2026, 12, 31)
    primary_stays_end: date = date(2026, 1, 20)
    """Discharge day of the tier-1 residents' scripted stays at township health centres."""

    def elapsed(self, day: date) -> Decimal:
        """Fraction of the insurance year gone by at the end of ``day``."""
        length = (self.year_ends - self.year_starts).days + 1
        return Decimal((day - self.year_starts).days + 1) / Decimal(length)

    def days(self, first: date, last: date) -> list[date]:
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def at(day: date, seconds: int = 9 * 3600) -> datetime:
    """A business instant on ``day`` in Beijing time (``seconds`` after midnight)."""
    return datetime.combine(day, time(), CHINA_TIME) + timedelta(seconds=seconds)


class Plot(StrEnum):
    """Which year the demo tells."""

    OVERSPENDING = "overspending"
    """Spending ahead of time and one hospital over its budget (burn_pace, institution_budget fire)."""
    HEALTHY = "healthy"
    """Spending at the planned share of the pool's own income, evenly: no pool alert turns red. No very expensive
    case: in a county of a few hundred people one costs the catastrophic insurance more than its year of premiums
    (seed 000: 30 yuan a person), a shock rather than the steady year this plot is; and city-hospital stays only
    while the catastrophic claims are within the premiums financed so far."""


@dataclass(frozen=True)
class Scenario:
    """What the demo does; defaults give a lively county in about a minute."""

    scale: int = 2_000
    """Insured persons (up to the real 461,843); the category mix is scaled proportionally."""
    rate: float = 25.0
    """Settlements started per second (an upper bound; concurrency limits it too)."""
    concurrency: int = 16
    seed: int = 240
    calendar: Calendar = field(default_factory=Calendar)
    plot: Plot = Plot.OVERSPENDING
    yearly_income: Money | None = None
    """The pooled fund's income for the year by the pack (premiums + subsidy of the generated county);
    the healthy year plans its expenditure from it."""
    household_sizes: dict[int, float] = field(
        default_factory=lambda: {1: 0.16, 2: 0.27, 3: 0.22, 4: 0.18, 5: 0.11, 6: 0.06})
    """Rural Chongqing household sizes (mean about 3)."""
    tier2_share: float = 0.12
    """Households choosing tier 2 (350 instead of 140 a person)."""
    tier1_primary_stays: int = 3
    """Tier-1 residents admitted to a township health centre in January whatever else the budgets steer: the
    worked example (five more points on that ratio) always has stays to cost. The budgets alone leave it to
    chance: a primary centre's budget is a few admissions at a small scale."""
    disabled_severe_share: float = 0.5
    """Of seed 004's disabled: grade 1-2 (premium paid by government); the rest are grade 3-4."""
    student_share: float = 0.4
    """Of ordinary residents aged 18-22: students."""
    coverage_target: float = 0.965
    """参保率: insured ÷ eligible; the operator sets eligible = insured ÷ this."""
    late_grace_share: float = 0.08
    """Households paying 1 Jan-28 Feb (covered from the 1st of the next month)."""
    late_wait_share: float = 0.04
    """Households paying from 1 Mar (90-day wait)."""
    unpaid_share: float = 0.02
    """Households that never pay (their members are refused at the hospital)."""
    partial_share: float = 0.03
    """Payers whose payment falls short of the premium."""
    bad_share: float = 0.02
    """Extra bad lines in the tax feed, as a share of good lines."""
    bad_kinds: dict[str, float] = field(
        default_factory=lambda: {"malformed": 0.5, "wrong_office": 0.25, "duplicate": 0.25})
    tax_office_code: str = "15002400000"
    """The Shizhu county tax office."""
    other_tax_office_code: str = "15002300000"
    """A neighbouring office: lines carrying it are refused (wrong office)."""
    batch_lines: int = 20_000
    """Lines per tax-bureau file (the billing body limit is 20 MiB)."""
    enrollment_batch_households: int = 5_000
    planned_expenditure_share: Decimal = Decimal("0.80")
    """Planned annual expenditure ÷ the year's income (以收定支、略有结余): of seed 004's amount due (the
    individual premiums) in the overspending story, of ``yearly_income`` in the healthy one."""
    spent_share_at_end: Decimal = Decimal("0.4659")
    """Fund payments ÷ amount due by the scenario's end (seed 004: 46.59% at mid-year)."""
    outpatient_fund_share: Decimal = Decimal("0.193")
    """Outpatient share of fund payments (seed 004: 1,204.04 of 6,251.81)."""
    maternity_share: float = 0.05
    expensive_share: float = 0.01
    """Inpatient cases that are very expensive (tertiary, 150,000-400,000)."""
    reversal_share: float = 0.02
    uncovered_share: float = 0.01
    """Share of encounters attempted by people without cover (refused); the first encounter brings one."""
    routine_budget_use: Decimal = Decimal("0.80")
    """Patients are sent to an institution only while its fund payments plus the cost of its open cases
    stay within this share of its global budget (the institution_budget rule turns yellow above 80%)."""
    budget_floor_cases: int = 5
    """A global budget is at least this many of its level's costliest ordinary admission: in a small
    county the fair share of the planned expenditure would be smaller than a single case."""
    hot_budget_fraction: Decimal = Decimal("0.45")
    """The overspending institution's global budget ÷ its fair annual share."""
    raised_budget_measure: Decimal = Decimal("0.60")
    """After the raise, the institution's spending ÷ its new budget (under the yellow 80%)."""
    assistance_per_insured: dict[str, Money] = field(default_factory=lambda: {
        "civil_affairs": Money.from_yuan("40.00"), "finance": Money.from_yuan("20.00")})
    """The year's appropriations to medical assistance (610100) per insured person, by source (assumed: no seed
    gives Shizhu's assistance budget); they pay the premiums assistance sponsors (资助参保) and its benefits."""
    appropriations_received: date = date(2026, 1, 10)
    """When the appropriations arrive (assumed: early in the year)."""
    district_brought_forward_share: Decimal = (Decimal(34877) - Decimal(4262)) / Decimal(30714)
    """The employee district's pooled-fund balance carried into the demo year, as a share of the year's pooled
    contributions: seed 003's 城镇职工基本医疗保险 (征缴 30714万, 当期结余 4262万, 滚存结余 34877万: 30615万 brought
    forward from the year before, about one year's contributions)."""
    district_spent_share: Decimal = Decimal("0.88")
    """Pooled-fund spending the district's stays reach each month, as a share of the pooled income so far
    (以收定支、略有结余; seed 003's employee fund spent 26452万 of 30714万, 86%: a little more here, so that one stay
    more or less leaves the year's surplus under seed 003's 15% limit)."""
    district_spent_ceiling: Decimal = Decimal("0.95")
    """A stay is not admitted when its whole cost would take the pooled spending past this share of the income."""

    def __post_init__(self) -> None:
        if not 1 <= self.scale <= REAL_POPULATION:
            raise ValueError(f"scale must be between 1 and {REAL_POPULATION}")
        if self.rate <= 0:
            raise ValueError("rate must be positive")

    @property
    def factor(self) -> Decimal:
        return Decimal(self.scale) / Decimal(REAL_POPULATION)

    @property
    def amount_due(self) -> Money:
        return REAL_AMOUNT_DUE.times(self.factor)

    @property
    def planned_income(self) -> Money:
        """The income the year's plan is drawn from: the pack's premiums and subsidy once known in the
        healthy year, otherwise seed 004's amount due."""
        if self.plot is Plot.HEALTHY and self.yearly_income is not None:
            return self.yearly_income
        return self.amount_due

    @property
    def planned_expenditure(self) -> Money:
        return self.planned_income.times(self.planned_expenditure_share)

    def appropriations(self) -> dict[str, Money]:
        """The year's appropriations to medical assistance, by source, for this county's size."""
        return {source: per_insured.times(Decimal(self.scale)) for source, per_insured in
                self.assistance_per_insured.items()}

    @property
    def eligible(self) -> int:
        return int((Decimal(self.scale) / Decimal(str(self.coverage_target))).to_integral_value())


def county_pack(scenario: Scenario) -> PolicyPack:
    """The pack in force for the demo year (the same packs the services load)."""
    return PackSet.load().in_force(ADMDVS, INSUTYPE, scenario.calendar.year_starts)
