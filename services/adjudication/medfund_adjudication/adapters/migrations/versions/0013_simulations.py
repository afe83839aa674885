"""Simulations (issue 25): a year replayed under a candidate pack, its progress and its result."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    op.create_table(
        "simulations",
        sa.Column("simulation_id", sa.Text, primary_key=True),
        sa.Column("admdvs", sa.Text, nullable=False),
        sa.Column("insutype", sa.Text, nullable=False, comment="the candidate pack's scheme"),
        sa.Column("year", sa.Integer, comment="the insurance year replayed, or null with begin_date and end_date"),
        sa.Column("begin_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("request", sa.Text, nullable=False,
                  comment="the request's JSON text as sent: its pack keeps exact decimals"),
        sa.Column("share_rise_fen", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False, comment="queued | running | done | failed"),
        sa.Column("processed", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("total", sa.BigInteger),
        sa.Column("result", JSONB),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("settlements_by_region_year", "settlements", ["admdvs", "insutype", "year", "psn_no",
                                                                  "setl_time"])


def downgrade() -> None:
    op.drop_index("settlements_by_region_year", table_name="settlements")
    op.drop_table("simulations")
