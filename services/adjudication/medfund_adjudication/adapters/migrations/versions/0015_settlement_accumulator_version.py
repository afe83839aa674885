"""Each settlement and reversal stores the accumulator version it wrote, and a simulation replays a person's
year in that order (issue 25): ``created_at`` is when the writing transaction began, which two concurrent
settlements of one person can commit in the other order. Rows written before this migration keep NULL and are
replayed first, by ``created_at``; the index follows the replay's order.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    op.add_column("settlements", sa.Column(
        "accumulator_version", sa.BigInteger,
        comment="the person's year accumulators' version this row wrote: the order their totals moved; null for "
                "rows written before migration 0015"))
    op.drop_index("settlements_by_region_year", table_name="settlements")
    op.create_index("settlements_by_region_year", "settlements",
                    ["admdvs", "insutype", "year", "psn_no", sa.text("accumulator_version NULLS FIRST"),
                     "created_at", "setl_id"])


def downgrade() -> None:
    op.drop_index("settlements_by_region_year", table_name="settlements")
    op.create_index("settlements_by_region_year", "settlements", ["admdvs", "insutype", "year", "psn_no",
                                                                  "created_at"])
    op.drop_column("settlements", "accumulator_version")
