"""The early-warning rules of fund-warnings.md: measures from figures, severities from thresholds.

Every function is pure: figures in, a :class:`Measurement` out (``None`` when the measure is
undefined, e.g. no budget or no spending yet). "Now" is always a business time given by the caller.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from medfund_ledger.domain.thresholds import Severity, Threshold
from medfund_shared.money import Money

RATIO = Decimal("0.0001")
MONTHS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Measurement:
    rule: str
    subject_type: str
    subject_id: str
    value: Decimal
    severity: Severity | None
    threshold: Decimal
    message: str


@dataclass(frozen=True)
class PoolSnapshot:
    """What the pool rules need, all in fen except the counts."""

    pool_id: str
    income: int
    expenditure: int
    month_income: int
    month_expenditure: int
    cumulative_balance: int
    """Balance of this fund and region over every year up to this one."""
    recent_monthly_expenditure: list[int] = field(default_factory=list)
    planned_expenditure: int | None = None
    elapsed_fraction: Decimal = Decimal(0)
    inpatient_recent: tuple[int, int] = (0, 0)
    """(fund paid, settlements) in the recent window."""
    inpatient_baseline: tuple[int, int] = (0, 0)


def elapsed_fraction(now: datetime, year: int) -> Decimal:
    """Share of the insurance (calendar) year elapsed at ``now``, in the time zone of ``now``."""
    start = datetime(year, 1, 1, tzinfo=now.tzinfo)
    total = Decimal((datetime(year + 1, 1, 1, tzinfo=now.tzinfo) - start).total_seconds())
    elapsed = Decimal((now - start).total_seconds())
    return min(max(elapsed / total, Decimal(0)), Decimal(1))


def month_end(period: str) -> datetime:
    year, month = (int(p) for p in period.split("-"))
    return datetime(year, month, calendar.monthrange(year, month)[1])


def _measure(rule: str, subject_type: str, subject_id: str, value: Decimal, threshold: Threshold,
             describe: str) -> Measurement:
    severity = threshold.severity(value)
    level = threshold.level(severity)
    state = f"{severity} (threshold {level})" if severity else f"normal (yellow at {level})"
    return Measurement(rule, subject_type, subject_id, value, severity, level, f"{describe}: {value}, {state}")


def current_deficit(s: PoolSnapshot, threshold: Threshold) -> Measurement:
    """Yellow when the current month spends more than it raises, red when the year to date does."""
    ytd = Money(s.expenditure - s.income).to_decimal()
    month = Money(s.month_expenditure - s.month_income).to_decimal()
    if ytd > threshold.red:
        return _measure("current_deficit", "pool", s.pool_id, ytd, threshold, "year-to-date deficit")
    severity = "yellow" if month > threshold.yellow else None
    return Measurement("current_deficit", "pool", s.pool_id, month, severity, threshold.yellow,
                       f"current-month deficit: {month}, {'yellow' if severity else 'normal'} "
                       f"(threshold {threshold.yellow})")


def reserve_months(s: PoolSnapshot, threshold: Threshold) -> Measurement | None:
    """Cumulative balance ÷ average monthly expenditure of the last three months (可支付月数)."""
    months = s.recent_monthly_expenditure
    spent = sum(months)
    if not months or spent <= 0:
        return None
    value = (Decimal(s.cumulative_balance) * len(months) / Decimal(spent)).quantize(MONTHS)
    return _measure("reserve_months", "pool", s.pool_id, value, threshold, "months of reserve")


def burn_pace(s: PoolSnapshot, threshold: Threshold) -> Measurement | None:
    """Share of planned annual expenditure spent minus share of the year elapsed."""
    if not s.planned_expenditure:
        return None
    value = (Decimal(s.expenditure) / Decimal(s.planned_expenditure) - s.elapsed_fraction).quantize(RATIO)
    return _measure("burn_pace", "pool", s.pool_id, value, threshold, "spending ahead of time")


def over_accumulation(s: PoolSnapshot, threshold: Threshold) -> Measurement | None:
    """The larger of current-year surplus ÷ income and cumulative surplus ÷ the year's income."""
    if s.income <= 0:
        return None
    current = Decimal(s.income - s.expenditure) / Decimal(s.income)
    cumulative = Decimal(s.cumulative_balance) / Decimal(s.income)
    value = max(current, cumulative).quantize(RATIO)
    return _measure("over_accumulation", "pool", s.pool_id, value, threshold, "surplus ratio")


def cost_spike(s: PoolSnapshot, threshold: Threshold) -> Measurement | None:
    """Fund payment per inpatient settlement, recent window against the baseline window before it."""
    (recent_paid, recent_n), (base_paid, base_n) = s.inpatient_recent, s.inpatient_baseline
    if recent_n <= 0 or base_n <= 0 or base_paid <= 0:
        return None
    value = (Decimal(recent_paid) * base_n / (Decimal(base_paid) * recent_n) - 1).quantize(RATIO)
    return _measure("cost_spike", "pool", s.pool_id, value, threshold,
                    "change in fund payment per inpatient settlement")


def institution_budget(fixmedins_code: str, paid: int, budget: int | None, threshold: Threshold) -> Measurement | None:
    """An institution's year-to-date fund payments ÷ its global budget (总额控制)."""
    if not budget:
        return None
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
    """Every pool rule that has a defined measure."""
    found = [rule(s, thresholds[name]) for name, rule in _POOL_RULES.items()]
    return [m for m in found if m is not None]
