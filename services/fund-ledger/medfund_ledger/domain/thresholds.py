"""Warning thresholds: the yellow and red levels of each rule and which way is worse."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

Severity = Literal["yellow", "red"]
RULES = ("current_deficit", "reserve_months", "burn_pace", "over_accumulation", "institution_budget",
         "cost_spike", "large_claim")


class InvalidThreshold(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Threshold:
    yellow: Decimal
    red: Decimal
    direction: Literal["above", "below"] = "above"

    def __post_init__(self) -> None:
        worse_or_equal = self.red >= self.yellow if self.direction == "above" else self.red <= self.yellow
        if not worse_or_equal:
            raise InvalidThreshold(f"red must be at least as severe as yellow ({self.direction})", "red")

    def severity(self, value: Decimal) -> Severity | None:
        if self.direction == "above":
            return "red" if value > self.red else "yellow" if value > self.yellow else None
        return "red" if value < self.red else "yellow" if value < self.yellow else None

    def level(self, severity: Severity | None) -> Decimal:
        """The threshold an alert reports: the one crossed, or yellow when back to normal."""
        return self.red if severity == "red" else self.yellow

    def with_levels(self, yellow: Decimal, red: Decimal) -> Threshold:
        return replace(self, yellow=yellow, red=red)


@dataclass(frozen=True)
class Thresholds:
    rules: dict[str, Threshold]
    windows: dict[str, int]
    """Day counts of windowed measures (``cost_spike_recent_days``, ``cost_spike_baseline_days``) and the
    settlements a window needs (``cost_spike_min_settlements``)."""

    def __getitem__(self, rule: str) -> Threshold:
        return self.rules[rule]

    def overridden(self, overrides: dict[str, tuple[Decimal, Decimal]]) -> Thresholds:
        """These thresholds with per-pool levels replacing the defaults."""
        rules = dict(self.rules)
        for rule, (yellow, red) in overrides.items():
            rules[rule] = rules[rule].with_levels(yellow, red)
        return Thresholds(rules, self.windows)
