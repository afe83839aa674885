"""A refund or reversal that leaves a person-year's premium short withdraws its subsidy and on-behalf shares
(docs/funding.md): each keeps its row, marked withdrawn, and paying in full again allocates anew, so the
subsidy is unique per person-year among the rows not withdrawn.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    for table in ("subsidies", "on_behalf_payments"):
        op.add_column(table, sa.Column("withdrawn_at", sa.DateTime(timezone=True),
                                       comment="the refund or reversal that withdrew it (migration 0006)"))
        op.add_column(table, sa.Column("withdrawal_id", sa.Text))
    op.drop_constraint("subsidies_once_per_person_year", "subsidies", type_="unique")
    op.create_index("subsidies_once_per_person_year", "subsidies", ["psn_no", "year"], unique=True,
                    postgresql_where=sa.text("withdrawn_at IS NULL"))
    op.create_index("on_behalf_payments_by_person_year", "on_behalf_payments", ["psn_no", "year"])


def downgrade() -> None:
    op.drop_index("on_behalf_payments_by_person_year", "on_behalf_payments")
    op.drop_index("subsidies_once_per_person_year", "subsidies")
    op.execute("DELETE FROM subsidies WHERE withdrawn_at IS NOT NULL")
    op.create_unique_constraint("subsidies_once_per_person_year", "subsidies", ["psn_no", "year"])
    for table in ("subsidies", "on_behalf_payments"):
        op.drop_column(table, "withdrawal_id")
        op.drop_column(table, "withdrawn_at")
