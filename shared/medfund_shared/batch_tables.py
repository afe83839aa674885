"""The tables of an uploaded file worked on in chunks by one instance at a time, defined once (issue 21).

A service declares them in its own ``MetaData`` with :func:`batch_tables` (billing's tax files, enrollment's bulk
files); its migrations stay its own (the platform tables of :mod:`medfund_shared.db` are the same for every
service, these differ by name and by the columns each service adds). The four tables:

- the batch: its status, progress (``last_line``), counters (the sums of its chunks) and the lease of
  :mod:`medfund_shared.batch_ownership` (``owner``, ``lease_expires_at``);
- the staged file: each line or record as sent (``bulk.copy_records``) until the batch is done;
- the chunks: each applied chunk's counters, so a replayed chunk never counts twice;
- the rejections: one row per rejected line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
)
from sqlalchemy.schema import SchemaItem

COUNTERS = ("received", "accepted", "duplicates")
"""What every batch counts; a service may count more (billing: ``rejected``)."""


@dataclass(frozen=True)
class BatchTables:
    batches: Table
    staged: Table
    chunks: Table
    rejections: Table


@dataclass(frozen=True)
class BatchNaming:
    """How a service names its batch tables and what their comments say.

    ``prefix`` starts every table name (``enrollment_batches``); ``item`` is what the staged file holds (``line``,
    ``record``: the staged table is ``<prefix>batch_<item>s``); ``migration`` the revision that made the tables
    resumable; ``staged_until`` how the staged table's comment ends; ``item_ends_on_line``: an item may span
    lines (a quoted CSV record), so its ``line`` is the file line on which it ends.
    """

    prefix: str
    item: str
    migration: str
    staged_until: str
    item_ends_on_line: bool = False


def batch_tables(metadata: MetaData, naming: BatchNaming, *, batch_columns: Sequence[SchemaItem] = (),
                 rejection_columns: Sequence[Column] = (), extra_counters: Sequence[str] = ()) -> BatchTables:
    """The four tables in ``metadata``: ``batch_columns`` are the service's own columns and constraints of the
    batch, ``rejection_columns`` of a rejection (after ``line``, before ``code``), ``extra_counters`` counted
    beside :data:`COUNTERS` on the batch and on each chunk."""
    n = naming
    batches_name = f"{n.prefix}batches"
    counters = (*COUNTERS, *extra_counters)
    batches = Table(
        batches_name, metadata,
        Column("batch_id", Text, primary_key=True),
        Column("status", Text, nullable=False),
        *(Column(name, Integer, nullable=False, server_default="0") for name in counters),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("finished_at", DateTime(timezone=True)),
        Column("last_line", Integer, nullable=False, server_default="0",
               comment=f"file line of the last {n.item} applied: processing resumes after it "
                       f"(migration {n.migration})"),
        Column("owner", Text, comment=f"the instance processing the batch (batch_ownership lease; "
                                      f"migration {n.migration})"),
        Column("lease_expires_at", DateTime(timezone=True)),
        *batch_columns,
    )
    staged = Table(
        f"{n.prefix}batch_{n.item}s", metadata,
        Column("batch_id", Text, nullable=False),
        Column("line", Integer, nullable=False,
               comment=f"file line on which the {n.item} ends" if n.item_ends_on_line else None),
        Column("raw", LargeBinary, nullable=False, comment=f"the {n.item}'s bytes as sent"),
        PrimaryKeyConstraint("batch_id", "line"),
        comment=f"uploaded files, staged with COPY, until their batch is {n.staged_until} (migration {n.migration})",
    )
    chunks = Table(
        f"{n.prefix}batch_chunks", metadata,
        Column("batch_id", Text, ForeignKey(f"{batches_name}.batch_id"), nullable=False),
        Column("first_line", Integer, nullable=False),
        Column("last_line", Integer, nullable=False),
        *(Column(name, Integer, nullable=False) for name in counters),
        PrimaryKeyConstraint("batch_id", "first_line"),
        comment=f"each applied chunk's outcome: the batch's counters are their sums (migration {n.migration})",
    )
    rejections = Table(
        f"{n.prefix}batch_rejections", metadata,
        Column("batch_id", Text, ForeignKey(f"{batches_name}.batch_id"), nullable=False),
        Column("line", Integer, nullable=False),
        *rejection_columns,
        Column("code", Text, nullable=False),
        Column("message", Text, nullable=False),
        PrimaryKeyConstraint("batch_id", "line"),
    )
    return BatchTables(batches, staged, chunks, rejections)
