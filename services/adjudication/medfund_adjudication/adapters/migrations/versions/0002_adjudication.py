"""Adjudication tables: institutions, catalogue, coverage, accounts, admissions, fee details,
accumulators, settlements, requests (idempotency).

Revision ID: 0002
"""

from alembic import op

from medfund_adjudication.adapters.tables import metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
