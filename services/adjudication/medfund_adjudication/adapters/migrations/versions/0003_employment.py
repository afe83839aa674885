"""Employees' retired flag, from billing's account credits and declarations.

0002 creates every table of the current metadata on a fresh database, so this one may exist already.

Revision ID: 0003
"""

from alembic import op

from medfund_adjudication.adapters.tables import employment

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    employment.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    employment.drop(op.get_bind())
