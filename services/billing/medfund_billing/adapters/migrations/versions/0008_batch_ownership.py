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

revision = "0008"
down_revision = "0007"


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
    op.create_table(
        "batch_records",
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False, comment="file line on which the record ends"),
        sa.Column("raw", sa.LargeBinary, nullable=False, comment="the record's bytes as sent"),
        sa.PrimaryKeyConstraint("batch_id", "line"),
        comment="uploaded files, staged with COPY, until their batch is done (migration 0008)",
    )
    op.create_table(
        "batch_chunks",
        sa.Column("batch_id", sa.Text, sa.ForeignKey("batches.batch_id"), nullable=False),
        sa.Column("first_line", sa.Integer, nullable=False),
        sa.Column("last_line", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in ("received", "accepted", "duplicates", "rejected")),
        sa.PrimaryKeyConstraint("batch_id", "first_line"),
        comment="each applied chunk's outcome: the batch's counters are their sums (migration 0008)",
    )


def downgrade() -> None:
    op.drop_table("batch_chunks")
    op.drop_table("batch_records")
    op.drop_column("batches", "lease_expires_at")
    op.drop_column("batches", "owner")
    op.drop_column("batches", "csv_header")
    op.alter_column("batches", "last_line", new_column_name="lines_done", comment=None)
    op.add_column("batches", sa.Column("spool_path", sa.Text, nullable=False, server_default=""))
