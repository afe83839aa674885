"""Settlement facts (for the statistics and the large-claim and cost rules), their inpatient sums per pool and day
(for the cost rule), and each institution's payments.

Written once per booked settlement, a batch at a time: the facts in one statement, the payments
summed per (institution, year) first and added in one upsert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared import bulk


@dataclass(frozen=True)
class SettlementFact:
    """One row of ``settlement_facts``; amounts in fen."""

    event_id: str
    setl_id: str
    admdvs: str
    year: int
    pooled_pool_id: str
    setl_date: date
    inpatient: int
    """+1 an inpatient settlement, -1 its reversal, 0 not inpatient."""
    medfee_sumamt: int
    inscp_scp_amt: int
    fund_pay_sumamt: int
    pooled_fund_paid: int


FACT_COLUMNS = {"event_id": bulk.TEXT, "setl_id": bulk.TEXT, "admdvs": bulk.TEXT, "year": bulk.INT,
                "pooled_pool_id": bulk.TEXT, "setl_date": bulk.DATE, "inpatient": bulk.INT,
                "medfee_sumamt": bulk.BIGINT, "inscp_scp_amt": bulk.BIGINT, "fund_pay_sumamt": bulk.BIGINT,
                "pooled_fund_paid": bulk.BIGINT}
INSERT_FACTS = bulk.statement(
    f"WITH fresh AS (INSERT INTO settlement_facts ({', '.join(FACT_COLUMNS)}) "
    f"SELECT * FROM unnest({', '.join(':' + c for c in FACT_COLUMNS)}) ON CONFLICT (event_id) DO NOTHING "
    "RETURNING pooled_pool_id, setl_date, inpatient, pooled_fund_paid) "
    "INSERT INTO pool_inpatient_days AS d (pool_id, setl_date, settlements, pooled_fund_paid) "
    "SELECT pooled_pool_id, setl_date, sum(inpatient), sum(pooled_fund_paid) FROM fresh WHERE inpatient <> 0 "
    "GROUP BY pooled_pool_id, setl_date ORDER BY pooled_pool_id, setl_date "
    "ON CONFLICT (pool_id, setl_date) DO UPDATE SET settlements = d.settlements + excluded.settlements, "
    "pooled_fund_paid = d.pooled_fund_paid + excluded.pooled_fund_paid",
    FACT_COLUMNS)
"""The facts, and the inpatient ones added to their pool's day (only facts inserted now: a repeat adds nothing)."""
PAYMENT_COLUMNS = {"fixmedins_code": bulk.TEXT, "year": bulk.INT, "fund_paid": bulk.BIGINT}
ADD_TO_PAYMENTS = bulk.statement(
    "INSERT INTO institution_payments AS p (fixmedins_code, year, fund_paid) "
    "SELECT * FROM unnest(:fixmedins_code, :year, :fund_paid) "
    "ON CONFLICT (fixmedins_code, year) DO UPDATE SET fund_paid = p.fund_paid + excluded.fund_paid", PAYMENT_COLUMNS)


async def record_many(session: AsyncSession, settlements: Sequence[tuple[str, SettlementFact]]) -> None:
    """``(fixmedins_code, fact)`` of settlements booked now: their facts, and what the fund paid each institution."""
    if not settlements:
        return
    rows = [tuple(getattr(fact, column) for column in FACT_COLUMNS) for _, fact in settlements]
    await bulk.execute(session, INSERT_FACTS, rows, tuple(FACT_COLUMNS))
    paid: dict[tuple[str, int], int] = defaultdict(int)
    for code, fact in settlements:
        paid[(code, fact.year)] += fact.fund_pay_sumamt
    await bulk.execute(session, ADD_TO_PAYMENTS, [(*key, amount) for key, amount in sorted(paid.items())],
                       tuple(PAYMENT_COLUMNS))
