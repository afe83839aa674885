"""Inpatient settlements summed per pool and day, filled from the settlement facts recorded so far.

The cost-spike rule sums a window of inpatient settlements after every batch; read from the facts it grew
with every settlement in the window (about 20 ms a batch at 40,000 of them).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "pool_inpatient_days",
        sa.Column("pool_id", sa.Text, primary_key=True),
        sa.Column("setl_date", sa.Date, primary_key=True),
        sa.Column("settlements", sa.Integer, nullable=False, comment="inpatient settlements less their reversals"),
        sa.Column("pooled_fund_paid", sa.BigInteger, nullable=False, comment="fen"),
        comment="settlement_facts' inpatient rows summed per pool and day, kept with them: the cost rule reads a "
                "window of days instead of every settlement in it",
    )
    op.execute(
        "INSERT INTO pool_inpatient_days (pool_id, setl_date, settlements, pooled_fund_paid) "
        "SELECT pooled_pool_id, setl_date, sum(inpatient), sum(pooled_fund_paid) FROM settlement_facts "
        "WHERE inpatient <> 0 GROUP BY pooled_pool_id, setl_date")


def downgrade() -> None:
    op.drop_table("pool_inpatient_days")
