"""The fund picture as Prometheus gauges, read from the ledger's projection on each scrape (so every worker and
instance answers the same figures): each pool's income, expenditure, payable and balance, and the open alerts
by rule, severity and state. Amounts are whole fen, exactly the figures ``GET /v1/pools/{pool_id}`` shows."""

from __future__ import annotations

from collections import defaultdict
from typing import get_args

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from medfund_ledger.adapters.tables import account_balances, alerts, pools
from medfund_ledger.domain.pools import PoolFigures
from medfund_ledger.domain.thresholds import RULES, Severity
from medfund_shared.context import ServiceContext

POOL_LABELS = ["pool_id", "admdvs", "fund_pay_type", "year"]
SEVERITIES = get_args(Severity)
OPEN_STATES = ("firing", "acknowledged")


async def pool_figures(context: ServiceContext) -> list[Metric]:
    async with context.session_factory() as session:
        rows = (await session.execute(
            select(pools.c.pool_id, pools.c.admdvs, pools.c.fund_pay_type, pools.c.year, account_balances.c.account,
                   account_balances.c.amount)
            .join(account_balances, account_balances.c.pool_id == pools.c.pool_id, isouter=True))).all()
    keys: dict[str, tuple[str, str, str, str]] = {}
    balances: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        keys[row.pool_id] = (row.pool_id, row.admdvs, row.fund_pay_type, str(row.year))
        if row.account is not None:
            balances[row.pool_id][row.account] = int(row.amount)
    families = {name: GaugeMetricFamily(f"medfund_pool_{name}_fen", f"the pool's {meaning}, fen", labels=POOL_LABELS)
                for name, meaning in (("income", "income booked so far"),
                                      ("expenditure", "expenditure booked so far"),
                                      ("payable", "amount owed and not yet paid out"),
                                      ("balance", "balance (结余): income less expenditure"))}
    for pool_id, labels in sorted(keys.items()):
        figures = PoolFigures.from_balances(balances[pool_id])
        for name, family in families.items():
            family.add_metric(labels, getattr(figures, name).fen)
    return list(families.values())


async def open_alerts(context: ServiceContext) -> list[Metric]:
    """Every rule, severity and open state has a series (0 when none), so a dashboard shows 0 rather than no data."""
    async with context.session_factory() as session:
        rows = (await session.execute(
            select(alerts.c.rule, alerts.c.severity, alerts.c.state, func.count())
            .where(alerts.c.state.in_(OPEN_STATES)).group_by(alerts.c.rule, alerts.c.severity, alerts.c.state))).all()
    counts = {(rule, severity, state): 0 for rule in RULES for severity in SEVERITIES for state in OPEN_STATES}
    counts |= {(rule, severity, state): count for rule, severity, state, count in rows}
    family = GaugeMetricFamily("medfund_alerts_open", "alerts not resolved, by rule, severity and state "
                               "(firing, or acknowledged by an operator)", labels=["rule", "severity", "state"])
    for labels, count in sorted(counts.items()):
        family.add_metric(list(labels), count)
    return [family]
