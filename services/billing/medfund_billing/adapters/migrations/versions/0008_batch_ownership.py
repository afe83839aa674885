"""Tax files live in PostgreSQL and each batch has one owner at a time (issue 22).

The uploaded file's records are staged in ``batch_records`` (any instance can resume the batch, none needs the
disk of another), the batch row carries its lease (``owner``, ``lease_expires_at``: ``medfund_shared.
batch_ownership``) and the file line processing resumes after (``last_line``), and each applied chunk leaves its
outcome in ``batch_chunks``, whose sums are the batch's counters. A batch still processing when this runs had its
file on a local disk: nothing of it can be read again, so it is closed as it stands (re-send the file; its
applied lines are duplicates).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from medfund_shared.batch_migration import create_staged_and_chunk_tables, drop_staged_and_chunk_tables
from medfund_shared.batch_tables import BatchNaming

revision = "0008"
down_revision = "0007"

NAMING = BatchNaming(prefix="", item="record", migration="0008", staged_until="done", item_ends_on_line=True)
"""Frozen as this revision named its tables (``medfund_shared.batch_migration``)."""


def upgrade() -> None:
    op.execute("UPDATE batches SET status = 'done', finished_at = now() WHERE status = 'processing'")
    op.drop_column("batches", "spool_path")
    op.alter_column("batches", "lines_done", new_column_name="last_line")
    op.execute("UPDATE batches SET last_line = 0")
    op.add_column("batches", sa.Column("csv_header", ARRAY(sa.Text),
                                       comment="a CSV file's field names, in their order (migration 0008)"))
    op.add_column("batches", sa.Column("owner", sa.Text,
                                       comment="the instance processing the batch (batch_ownership lease; migration "
                                               "0008)"))
    op.add_column("batches", sa.Column("lease_expires_at", sa.DateTime(timezone=True)))
    op.alter_column("batches", "last_line",
                    comment="file line of the last record applied: processing resumes after it (migration 0008)")
    create_staged_and_chunk_tables(NAMING, ("received", "accepted", "duplicates", "rejected"))


def downgrade() -> None:
    drop_staged_and_chunk_tables(NAMING)
    op.drop_column("batches", "lease_expires_at")
    op.drop_column("batches", "owner")
    op.drop_column("batches", "csv_header")
    op.alter_column("batches", "last_line", new_column_name="lines_done", comment=None)
    op.add_column("batches", sa.Column("spool_path", sa.Text, nullable=False, server_default=""))
