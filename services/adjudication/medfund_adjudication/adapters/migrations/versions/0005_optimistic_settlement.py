"""Accumulators carry a version, and a settlement written without a lock can give itself up.

A settlement reads the person's state without a transaction and writes in one statement that applies only
if the accumulators' version is the one it read (:mod:`medfund_adjudication.adapters.settling`). Every
change of the accumulators increments the version. When that statement finds another change got there
first in a way its own conditions cannot skip, it calls ``settlement_lost_race``, which rolls it back with
SQLSTATE 40001 (serialization failure) so the caller settles again under the lock.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("accumulators", sa.Column(
        "version", sa.BigInteger, nullable=False, server_default="0",
        comment="incremented by every change: a settlement written without the row lock checks it"))
    op.execute("""
        CREATE FUNCTION settlement_lost_race(reason text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            RAISE EXCEPTION 'settlement lost a race: %', reason USING ERRCODE = 'serialization_failure';
        END
        $$""")


def downgrade() -> None:
    op.execute("DROP FUNCTION settlement_lost_race(text)")
    op.drop_column("accumulators", "version")
