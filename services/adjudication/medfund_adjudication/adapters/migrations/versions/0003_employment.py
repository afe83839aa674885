"""Employees' retired flag, from billing's account credits and declarations.

Written out (not from ``tables.py``) so that a later edit of the models never changes what this revision did.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "employment",
        sa.Column("psn_no", sa.Text, primary_key=True),
        sa.Column("period", sa.Text, nullable=False, comment="YYYY-MM of the latest billing event about the employee"),
        sa.Column("retired", sa.Boolean, nullable=False),
        comment="employees' retired flag: a retiree_pension account credit says retired, a declared contribution "
                "says in service; the latest period wins",
    )


def downgrade() -> None:
    op.drop_table("employment")
