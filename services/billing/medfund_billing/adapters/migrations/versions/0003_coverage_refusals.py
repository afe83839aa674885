"""Premium accounts remember that enrollment refused cover for the paid premium (the money is
then refundable; ``GET /v1/coverage-refusals`` lists it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("premium_accounts", sa.Column(
        "coverage_refused_reason", sa.Text, comment="enrollment refused cover for the paid premium (migration 0003)"))
    op.add_column("premium_accounts", sa.Column("coverage_refusal_message", sa.Text))
    op.add_column("premium_accounts", sa.Column(
        "coverage_refused_at", sa.DateTime(timezone=True), comment="paid_at of the refused premium"))
    op.create_index("premium_accounts_refused", "premium_accounts", ["psn_no", "year"],
                    postgresql_where=sa.text("coverage_refused_reason IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("premium_accounts_refused", "premium_accounts")
    for column in ("coverage_refused_at", "coverage_refusal_message", "coverage_refused_reason"):
        op.drop_column("premium_accounts", column)
