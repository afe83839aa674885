"""Bulk files live in PostgreSQL and each batch has one owner at a time (issues 21, 22).

The upload's lines are staged in ``enrollment_batch_lines``; the batch row carries its lease (``owner``,
``lease_expires_at``: ``medfund_shared.batch_ownership``, which replaces the advisory lock), whether the whole
file arrived (``received_all``) and the file line processing resumes after (``last_line``); each applied chunk
leaves its outcome in ``enrollment_batch_chunks``, whose sums are the batch's counters. A batch processing when
this runs was owned through an advisory lock: it is closed ``interrupted`` (re-send the file).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from medfund_shared.batch_migration import create_staged_and_chunk_tables, drop_staged_and_chunk_tables
from medfund_shared.batch_tables import BatchNaming

revision = "0007"
down_revision = "0006"

NAMING = BatchNaming(prefix="enrollment_", item="line", migration="0007", staged_until="finished")
"""Frozen as this revision named its tables (``medfund_shared.batch_migration``)."""


def upgrade() -> None:
    op.execute("UPDATE enrollment_batches SET status = 'interrupted', finished_at = now() "
               "WHERE status = 'processing'")
    op.add_column("enrollment_batches", sa.Column("header", ARRAY(sa.Text),
                                                  comment="the file's column names (migration 0007)"))
    op.add_column("enrollment_batches", sa.Column(
        "received_all", sa.Boolean, nullable=False, server_default="false",
        comment="the whole file is staged: a new owner may finish the batch (migration 0007)"))
    op.add_column("enrollment_batches", sa.Column(
        "last_line", sa.Integer, nullable=False, server_default="0",
        comment="file line of the last line applied: processing resumes after it (migration 0007)"))
    op.add_column("enrollment_batches", sa.Column(
        "owner", sa.Text, comment="the instance processing the batch (batch_ownership lease; migration 0007)"))
    op.add_column("enrollment_batches", sa.Column("lease_expires_at", sa.DateTime(timezone=True)))
    create_staged_and_chunk_tables(NAMING, ("received", "accepted", "duplicates"))


def downgrade() -> None:
    drop_staged_and_chunk_tables(NAMING)
    for column in ("lease_expires_at", "owner", "last_line", "received_all", "header"):
        op.drop_column("enrollment_batches", column)
