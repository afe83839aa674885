"""A live status table while the demo works: phase, business date, enrolled, paid, settled, alerts."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from rich.console import Console
from rich.live import Live
from rich.table import Table

from medfund_cli.demo.runner import Demo

REFRESH_SECONDS = 0.5


def status(demo: Demo) -> Table:
    tally, counts = demo.tally, demo.watcher.counts
    table = Table(title=f"medfund demo: Shizhu 500240, {demo.scenario.scale:,} insured", show_header=False,
                  min_width=70)
    table.add_row("phase", f"[bold]{tally.phase}[/]")
    table.add_row("business date", tally.business_day or "-")
    table.add_row("enrolled", f"{tally.enrolled:,} persons in {tally.households:,} households")
    table.add_row("covered (events)", f"{counts.count('medfund.enrollment.coverage.activated.v1'):,}")
    table.add_row("tax feed", f"{tally.tax_lines_sent:,} lines, {tally.tax_accepted:,} accepted, "
                  f"{tally.tax_duplicates:,} duplicates, {len(tally.tax_rejected):,} rejected")
    table.add_row("settled", f"{tally.settled:,} ({tally.reversed} reversed); refused: "
                  f"{len(tally.refused_uncovered)} people without cover, {len(tally.refused_unexpected)} others")
    table.add_row("fund payments", f"{tally.fund_paid.to_decimal():,.2f} yuan "
                  f"(pooled fund {tally.pooled.to_decimal():,.2f})")
    alerts = counts.alerts
    latest = ", ".join(f"{a['rule']} {a['severity']} {a['state']}" for a in alerts[-3:])
    table.add_row("alerts (topic)", f"{len(alerts)} changes{': ' + latest if latest else ''}")
    return table


class StatusDisplay:
    """Redraws the status table between ``start()`` and ``stop()``."""

    def __init__(self, demo: Demo, console: Console) -> None:
        self.demo, self.console = demo, console
        self._live: Live | None = None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._live = Live(status(self.demo), console=self.console, refresh_per_second=4)
        self._live.start()
        self._task = asyncio.create_task(self._refresh())

    async def _refresh(self) -> None:
        while True:
            self._live.update(status(self.demo))
            await asyncio.sleep(REFRESH_SECONDS)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._live is not None:
            self._live.update(status(self.demo))
            self._live.stop()
            self._live = None
