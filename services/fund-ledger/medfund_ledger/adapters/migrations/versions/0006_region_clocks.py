"""Each region keeps its own business clock; an alert's measure may be undefined (it resolved saying why).

The single ledger clock moved every region to the latest time any region reached (one registration
without a date moved them all to today). Each region's clock starts at the latest effective date
booked on its pools (the start of that day, China time); its next event moves it on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "region_clocks",
        sa.Column("admdvs", sa.Text, primary_key=True),
        sa.Column("business_time", sa.DateTime(timezone=True), nullable=False,
                  comment="latest business time applied to the region's pools: the 'now' of its elapsed-time measures"),
    )
    op.execute(
        "INSERT INTO region_clocks (admdvs, business_time) "
        "SELECT p.admdvs, (max(e.effective_date)::timestamp AT TIME ZONE 'Asia/Shanghai') FROM journal_entries AS e "
        "JOIN journal_lines AS l ON l.entry_id = e.id JOIN pools AS p ON p.pool_id = l.pool_id "
        "WHERE e.origin = 'event' GROUP BY p.admdvs")
    op.drop_table("ledger_clock")
    op.alter_column("alerts", "measure", existing_type=sa.Text, nullable=True,
                    comment="the latest evaluated measure; null when it became undefined (resolved)")


def downgrade() -> None:
    op.execute("UPDATE alerts SET measure = '' WHERE measure IS NULL")
    op.alter_column("alerts", "measure", existing_type=sa.Text, nullable=False, comment=None)
    op.create_table(
        "ledger_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("business_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("INSERT INTO ledger_clock (id, business_time) SELECT 1, max(business_time) FROM region_clocks "
               "HAVING count(*) > 0")
    op.drop_table("region_clocks")
