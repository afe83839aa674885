"""The early-warning rules of fund-warnings.md: measures from figures, severities from thresholds.

Every function is pure: figures in, a :class:`Measurement` out (its value ``None``, with the reason,
when the measure is undefined, e.g. no budget or no spending yet). "Now" is always a business time
given by the caller. docs/fund-alerts.md gives each rule's formula and source.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import MAXYEAR, datetime
from decimal import ROUND_HALF_UP, Decimal

from medfund_ledger.domain.thresholds import Severity, Threshold
from medfund_shared.money import Money

RATIO = Decimal("0.0001")
MONTHS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Measurement:
    """A rule's verdict on one subject. ``value`` None: the measure is undefined and ``message`` says why."""

    rule: str
    subject_type: str
    subject_id: str
    value: Decimal | None
    severity: Severity | None
    threshold: Decimal
    message: str
    details: tuple[tuple[str, Decimal], ...] = ()
    """Named figures behind the value (shown with the pool's measures), e.g. both surplus ratios."""

    @property
    def defined(self) -> bool:
        return self.value is not None


def undefined(rule: str, subject_type: str, subject_id: str, threshold: Threshold, reason: str) -> Measurement:
    """No measure (an open alert on it resolves, saying ``reason``)."""
    return Measurement(rule, subject_type, subject_id, None, None, threshold.yellow, f"measure undefined: {reason}")


@dataclass(frozen=True)
class PoolSnapshot:
    """What the pool rules need, all in fen except the counts."""

    pool_id: str
    income: int
    expenditure: int
    month_income: int
    month_expenditure: int
    carried_over: int = 0
    """Balance of this fund and region over the years before this one (滚存结余 brought forward)."""
    holdings: int | None = None
    """What this fund of this region holds: the balance of all its pools, earlier years' surplus and income
    already collected for later years included (None: the pool's own balance, as when it is the only one)."""
    recent_monthly_expenditure: list[int] = field(default_factory=list)
    recent_months: tuple[str, ...] = ()
    """The months (``YYYY-MM``, newest first) of ``recent_monthly_expenditure``."""
    planned_expenditure: int | None = None
    elapsed_fraction: Decimal = Decimal(0)
    collected_up_front: bool = True
    """The year's income arrives before the year runs (resident premiums, transfers, appropriations);
    False for funds whose income arrives month by month (employee contributions)."""
    rules_not_applicable: frozenset[str] = frozenset()
    """Rules that say nothing about this fund (e.g. over_accumulation of individual accounts, which belong to
    their holders); their measure is undefined."""
    inpatient_recent: tuple[int, int] = (0, 0)
    """(fund paid, settlements) in the recent window."""
    inpatient_baseline: tuple[int, int] = (0, 0)
    inpatient_minimum: int = 1
    """Settlements each window needs before a change in cost per settlement means anything: with a handful of
    stays, one expensive case swings the average by more than the red limit."""
    expenditure_up_front: int = 0
    """The part of ``expenditure`` due for the year up front (the catastrophic premium, reserve transfers,
    sponsored premiums, docs/funding.md): booked in full already, it is not projected at the run rate."""

    @property
    def balance(self) -> int:
        """The pool's own balance: its income less its expenditure (what ``GET /v1/pools/{id}`` shows)."""
        return self.income - self.expenditure

    def projected_year(self) -> tuple[Decimal, Decimal] | None:
        """(income, expenditure) in fen at year end at the current run rate; None before the year starts.

        Expenditure runs at its year-to-date pace, but for what is due up front for the year; income runs too
        when it arrives monthly, while a fund collected up front has its year's income already booked.
        """
        if self.elapsed_fraction <= 0:
            return None
        income = Decimal(self.income) if self.collected_up_front else Decimal(self.income) / self.elapsed_fraction
        running = Decimal(self.expenditure - self.expenditure_up_front) / self.elapsed_fraction
        return income, Decimal(self.expenditure_up_front) + running


def elapsed_fraction(now: datetime, year: int) -> Decimal:
    """Share of the insurance (calendar) year elapsed at ``now``, in the time zone of ``now``.

    A year after ``now``'s has not started and one before it is over, whatever its number.
    """
    if year != now.year:
        return Decimal(0) if year > now.year else Decimal(1)
    start = datetime(year, 1, 1, tzinfo=now.tzinfo)
    end = datetime(year + 1, 1, 1, tzinfo=now.tzinfo) if year < MAXYEAR else datetime.max.replace(tzinfo=now.tzinfo)
    return min(max(Decimal((now - start).total_seconds()) / Decimal((end - start).total_seconds()), Decimal(0)),
               Decimal(1))


def month_end(period: str) -> datetime:
    year, month = (int(p) for p in period.split("-"))
    return datetime(year, month, calendar.monthrange(year, month)[1])


def _measure(rule: str, subject_type: str, subject_id: str, value: Decimal, threshold: Threshold,
             describe: str) -> Measurement:
    severity = threshold.severity(value)
    level = threshold.level(severity)
    state = f"{severity} (threshold {level})" if severity else f"normal (yellow at {level})"
    return Measurement(rule, subject_type, subject_id, value, severity, level, f"{describe}: {value}, {state}")


def _yuan(fen: Decimal | int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def current_deficit(s: PoolSnapshot, threshold: Threshold) -> Measurement:
    """当期收不抵支, judged on the year: red when the year to date already spends more than it raised;
    yellow when expenditure projected to year end at the current run rate exceeds the year's income,
    or, for a fund whose income arrives monthly, when the current month spends more than it raises."""
    rule = "current_deficit"
    ytd = _yuan(s.expenditure - s.income)
    projected = s.projected_year()
    details = (("year_to_date_deficit", ytd),)
    if ytd > threshold.red:
        return Measurement(rule, "pool", s.pool_id, ytd, "red", threshold.red,
                           f"year-to-date deficit: {ytd}, red (threshold {threshold.red})", details)
    if projected is None:
        return undefined(rule, "pool", s.pool_id, threshold, "the insurance year has not started")
    deficit = _yuan(projected[1] - projected[0])
    details += (("projected_deficit", deficit),)
    month = _yuan(s.month_expenditure - s.month_income)
    if not s.collected_up_front and month > threshold.yellow and deficit <= threshold.yellow:
        return Measurement(rule, "pool", s.pool_id, month, "yellow", threshold.yellow,
                           f"current-month deficit: {month}, yellow (threshold {threshold.yellow})",
                           details + (("month_deficit", month),))
    severity = "yellow" if deficit > threshold.yellow else None
    return Measurement(rule, "pool", s.pool_id, deficit, severity, threshold.yellow,
                       f"deficit projected to year end: {deficit}, {severity or 'normal'} "
                       f"(threshold {threshold.yellow})", details)


def reserve_months(s: PoolSnapshot, threshold: Threshold) -> Measurement:
    """可支付月数 (seed 003 第9篇: 滚存结余 ÷ monthly expenditure): what the pool's own fund holds ÷ the pool's
    average monthly expenditure of the last three months."""
    months = s.recent_monthly_expenditure
    spent = sum(months)
    if not months or spent <= 0:
        return undefined("reserve_months", "pool", s.pool_id, threshold,
                         f"no expenditure in the last {len(months) or 'few'} months")
    holdings = s.balance if s.holdings is None else s.holdings
    value = (Decimal(holdings) * len(months) / Decimal(spent)).quantize(MONTHS)
    m = _measure("reserve_months", "pool", s.pool_id, value, threshold, "months of reserve")
    average = _yuan(Decimal(spent) / len(months))
    return replace(m, message=f"{m.message}; fund holds {_yuan(holdings)}, spends {average} a month",
                   details=(("holdings", _yuan(holdings)), ("average_monthly_expenditure", average)))


def burn_pace(s: PoolSnapshot, threshold: Threshold) -> Measurement:
    """Share of planned annual expenditure spent minus share of the year elapsed."""
    if not s.planned_expenditure:
        return undefined("burn_pace", "pool", s.pool_id, threshold, "the pool has no planned expenditure")
    value = (Decimal(s.expenditure) / Decimal(s.planned_expenditure) - s.elapsed_fraction).quantize(RATIO)
    return _measure("burn_pace", "pool", s.pool_id, value, threshold, "spending ahead of time")


def over_accumulation(s: PoolSnapshot, threshold: Threshold) -> Measurement:
    """结余过多, two separate limits judged on the projected year end (seed 003 第7篇): the year's surplus
    ÷ its income over ``threshold.yellow`` (15%), and the cumulative surplus (brought forward plus the
    year's) ÷ the year's income over ``threshold.red`` (25%). One limit crossed is yellow, both red.
    The value is the annual ratio; both ratios are in the details and the message."""
    rule = "over_accumulation"
    projected = s.projected_year()
    if projected is None:
        return undefined(rule, "pool", s.pool_id, threshold, "the insurance year has not started")
    income, expenditure = projected
    if income <= 0:
        return undefined(rule, "pool", s.pool_id, threshold, "the pool has no income this year")
    annual = ((income - expenditure) / income).quantize(RATIO)
    cumulative = ((s.carried_over + income - expenditure) / income).quantize(RATIO)
    crossed = [name for name, ratio, limit in (("annual", annual, threshold.yellow),
                                               ("cumulative", cumulative, threshold.red)) if ratio > limit]
    severity = "red" if len(crossed) == 2 else "yellow" if crossed else None
    level = threshold.red if crossed == ["cumulative"] or severity == "red" else threshold.yellow
    verdict = f"{severity}, {' and '.join(crossed)} limit crossed" if severity else "normal"
    return Measurement(rule, "pool", s.pool_id, annual, severity, level,
                       f"projected year-end surplus: annual {annual} of income (limit {threshold.yellow}), "
                       f"cumulative {cumulative} (limit {threshold.red}): {verdict}",
                       (("annual_surplus_ratio", annual), ("cumulative_surplus_ratio", cumulative)))


def cost_spike(s: PoolSnapshot, threshold: Threshold) -> Measurement:
    """Fund payment per inpatient settlement, recent window against the baseline window before it."""
    (recent_paid, recent_n), (base_paid, base_n) = s.inpatient_recent, s.inpatient_baseline
    if min(recent_n, base_n) < max(s.inpatient_minimum, 1) or base_paid <= 0:
        return undefined("cost_spike", "pool", s.pool_id, threshold,
                         f"fewer than {max(s.inpatient_minimum, 1)} inpatient settlements in the recent or the "
                         f"baseline window ({recent_n} and {base_n}): too few to judge a change in cost")
    value = (Decimal(recent_paid) * base_n / (Decimal(base_paid) * recent_n) - 1).quantize(RATIO)
    return _measure("cost_spike", "pool", s.pool_id, value, threshold,
                    "change in fund payment per inpatient settlement")


def institution_budget(fixmedins_code: str, paid: int, budget: int | None, threshold: Threshold,
                       year: int) -> Measurement:
    """An institution's year-to-date fund payments ÷ its global budget of that year (总额控制)."""
    if not budget:
        return undefined("institution_budget", "institution", fixmedins_code, threshold,
                         f"no global budget for {year}")
    value = (Decimal(paid) / Decimal(budget)).quantize(RATIO)
    return _measure("institution_budget", "institution", fixmedins_code, value, threshold,
                    "share of global budget used")


def large_claim(setl_id: str, fund_paid: Money, threshold: Threshold) -> Measurement:
    return _measure("large_claim", "settlement", setl_id, fund_paid.to_decimal(), threshold,
                    "fund payment of one settlement")


_POOL_RULES = {"current_deficit": current_deficit, "reserve_months": reserve_months, "burn_pace": burn_pace,
               "over_accumulation": over_accumulation, "cost_spike": cost_spike}
POOL_RULES = tuple(_POOL_RULES)
"""The rules whose subject is a pool."""


def pool_measurements(s: PoolSnapshot, thresholds) -> list[Measurement]:
    """Every pool rule's measurement, defined or not."""
    return [undefined(name, "pool", s.pool_id, thresholds[name], "the rule does not apply to this fund")
            if name in s.rules_not_applicable else rule(s, thresholds[name]) for name, rule in _POOL_RULES.items()]
