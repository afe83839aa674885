"""Alert evaluation in the batch's transaction: the queue of applied events, and the per-(rule, subject) locks.

Revision ID: 0003
"""

from alembic import op

from medfund_ledger.adapters import tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = [tables.alert_locks, tables.pending_evaluations]


def upgrade() -> None:
    tables.metadata.create_all(op.get_bind(), tables=TABLES)


def downgrade() -> None:
    tables.metadata.drop_all(op.get_bind(), tables=TABLES)
