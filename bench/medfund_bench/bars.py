"""The bars the bench is judged by (issue 24, and the simulation's), each saying whether a figure meets it.

A bar is a limit a figure must stay under (``at_most``) or reach; the table prints its text beside the figure and
"met" or "NOT met". The ratio column stays the figure's ratio to the machine's own limit measured in the run.
"""

from __future__ import annotations

from dataclasses import dataclass

MET = "met"
NOT_MET = "NOT met"


@dataclass(frozen=True)
class Bar:
    limit: float
    at_most: bool
    text: str

    def verdict(self, value: float, *, also: bool = True) -> str:
        """``met`` when ``value`` is on the bar's side of its limit (equal included) and ``also`` holds."""
        within = value <= self.limit if self.at_most else value >= self.limit
        return MET if within and also else NOT_MET


FEED_LINES = 1_000_000
FEED_SECONDS = 60.0
"""1,000,000-line tax file accepted and published in ≤ 60 s."""
CATCH_UP = Bar(20_000, at_most=False, text="≥ 20,000 events/s")
REBUILD_PER_MILLION = Bar(50, at_most=True, text="≤ 50 s per million, EQUAL")
SATURATION = Bar(1_000, at_most=False, text="≥ 1,000/s")
P99_AT_FIXED_RATE = Bar(10, at_most=True, text="p99 ≤ 10 ms")
ALERT_P50 = Bar(0.2, at_most=True, text="p50 ≤ 200 ms")
SIMULATION_SETTLEMENTS = 1_000_000
SIMULATION_SECONDS = 120.0
"""A million recorded settlements replayed under a candidate pack in ≤ 120 s."""


def feed_bar(lines: int) -> Bar:
    """The feed's bar in proportion for a shorter file (e.g. ``--feed-lines 20000`` in a quick run)."""
    seconds = FEED_SECONDS * lines / FEED_LINES
    return Bar(seconds, at_most=True, text=f"≤ {seconds:.1f} s for {lines:,} lines")


def simulation_bar(settlements: int) -> Bar:
    seconds = SIMULATION_SECONDS * settlements / SIMULATION_SETTLEMENTS
    return Bar(seconds, at_most=True, text=f"≤ {seconds:.0f} s for {settlements:,}")
