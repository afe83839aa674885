"""Global budgets from the registry are kept per year: one registered for a year never applies to another.

The single ``institutions.registered_budget`` applied to every year; it is kept for the years the
institution already has payments in (what it applied to so far) and dropped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "registered_budgets",
        sa.Column("fixmedins_code", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        comment="global budgets from the registry, each for its one year (an admin's institution_budgets row wins)",
    )
    op.execute("INSERT INTO registered_budgets (fixmedins_code, year, amount) "
               "SELECT i.fixmedins_code, p.year, i.registered_budget FROM institutions AS i "
               "JOIN institution_payments AS p ON p.fixmedins_code = i.fixmedins_code "
               "WHERE i.registered_budget IS NOT NULL")
    op.drop_column("institutions", "registered_budget")


def downgrade() -> None:
    op.add_column("institutions", sa.Column("registered_budget", sa.BigInteger))
    op.execute("UPDATE institutions AS i SET registered_budget = (SELECT b.amount FROM registered_budgets AS b "
               "WHERE b.fixmedins_code = i.fixmedins_code ORDER BY b.year DESC LIMIT 1)")
    op.drop_table("registered_budgets")
