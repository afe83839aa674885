"""An institution's registered budget names the one year it applies to (null: none), so a budget registered
for one year never applies to another.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.add_column("institutions", sa.Column("budget_year", sa.Integer,
                                            comment="the year annual_budget_fen applies to; null: no year's budget"))


def downgrade() -> None:
    op.drop_column("institutions", "budget_year")
