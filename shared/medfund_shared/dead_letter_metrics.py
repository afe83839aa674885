"""The dead-letter backlog as a metric, read from the service's own ``dead_letters`` table at scrape time."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from medfund_shared.context import ServiceContext
from medfund_shared.db import dead_letters_table
from medfund_shared.metrics import MetricReader


def dead_letter_reader(consumers: Iterable[str]) -> MetricReader:
    """``medfund_dead_letters_unresolved{service, consumer}``: events parked and not yet resolved; each of the
    service's consumers has a series (0 when it parked nothing), so a dashboard shows 0 rather than no data."""
    known = tuple(consumers)

    async def dead_letters(context: ServiceContext) -> list[Metric]:
        t = dead_letters_table
        async with context.session_factory() as session:
            rows = (await session.execute(select(t.c.consumer, func.count()).where(t.c.resolved_at.is_(None))
                                          .group_by(t.c.consumer))).all()
        counts = dict.fromkeys(known, 0) | {consumer: count for consumer, count in rows}
        family = GaugeMetricFamily("medfund_dead_letters_unresolved",
                                   "events a consumer parked in dead_letters and nobody resolved yet",
                                   labels=["service", "consumer"])
        for consumer, count in sorted(counts.items()):
            family.add_metric([context.settings.service_name, consumer], count)
        return [family]

    return dead_letters
