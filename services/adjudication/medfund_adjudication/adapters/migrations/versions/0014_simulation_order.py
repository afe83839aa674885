"""A simulation replays each person's settlements in the order they were recorded (``created_at``), not by the
client's ``setl_time``: the index follows (issue 25).
"""

from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    op.drop_index("settlements_by_region_year", table_name="settlements")
    op.create_index("settlements_by_region_year", "settlements", ["admdvs", "insutype", "year", "psn_no",
                                                                  "created_at"])


def downgrade() -> None:
    op.drop_index("settlements_by_region_year", table_name="settlements")
    op.create_index("settlements_by_region_year", "settlements", ["admdvs", "insutype", "year", "psn_no",
                                                                  "setl_time"])
