"""A flexible worker's month refunded or reversed keeps its row, marked withdrawn, and may be paid again: the
month is unique per person among the rows not withdrawn (docs/funding.md).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column("employee_declarations", sa.Column(
        "withdrawn_at", sa.DateTime(timezone=True), comment="the refund or reversal that withdrew it (migration 0007)"))
    op.add_column("employee_declarations", sa.Column("withdrawal_id", sa.Text))
    op.drop_index("employee_declarations_flexible_once_per_month", "employee_declarations")
    op.create_index("employee_declarations_flexible_once_per_month", "employee_declarations", ["certno", "period"],
                    unique=True, postgresql_where=sa.text("payer = 'flexible_worker' AND withdrawn_at IS NULL"))


def downgrade() -> None:
    op.drop_index("employee_declarations_flexible_once_per_month", "employee_declarations")
    op.execute("DELETE FROM employee_declarations WHERE withdrawn_at IS NOT NULL")
    op.create_index("employee_declarations_flexible_once_per_month", "employee_declarations", ["certno", "period"],
                    unique=True, postgresql_where=sa.text("payer = 'flexible_worker'"))
    op.drop_column("employee_declarations", "withdrawal_id")
    op.drop_column("employee_declarations", "withdrawn_at")
