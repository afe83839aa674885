"""Inside an Alembic migration: the staged-file and chunk tables that made a service's file batches resumable.

Frozen: billing's ``0008_batch_ownership`` and enrollment's ``0007_batch_ownership`` create these tables with
:func:`create_staged_and_chunk_tables`, and a migration's effect never changes (``tests/e2e/test_migrations.py``
holds the migrated schemas to the recorded ones). A later change to the tables is a new revision in the service,
with :func:`medfund_shared.batch_tables.batch_tables` following it; never an edit here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from medfund_shared.batch_tables import BatchNaming


def create_staged_and_chunk_tables(naming: BatchNaming, counters: Sequence[str]) -> None:
    """``<prefix>batch_<item>s`` (the file as sent, one row per item) and ``<prefix>batch_chunks`` (each applied
    chunk's ``counters``), named and commented as ``naming`` says."""
    n = naming
    op.create_table(
        f"{n.prefix}batch_{n.item}s",
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False,
                  comment=f"file line on which the {n.item} ends" if n.item_ends_on_line else None),
        sa.Column("raw", sa.LargeBinary, nullable=False, comment=f"the {n.item}'s bytes as sent"),
        sa.PrimaryKeyConstraint("batch_id", "line"),
        comment=f"uploaded files, staged with COPY, until their batch is {n.staged_until} (migration {n.migration})",
    )
    op.create_table(
        f"{n.prefix}batch_chunks",
        sa.Column("batch_id", sa.Text, sa.ForeignKey(f"{n.prefix}batches.batch_id"), nullable=False),
        sa.Column("first_line", sa.Integer, nullable=False),
        sa.Column("last_line", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in counters),
        sa.PrimaryKeyConstraint("batch_id", "first_line"),
        comment=f"each applied chunk's outcome: the batch's counters are their sums (migration {n.migration})",
    )


def drop_staged_and_chunk_tables(naming: BatchNaming) -> None:
    """What :func:`create_staged_and_chunk_tables` created."""
    op.drop_table(f"{naming.prefix}batch_chunks")
    op.drop_table(f"{naming.prefix}batch_{naming.item}s")
