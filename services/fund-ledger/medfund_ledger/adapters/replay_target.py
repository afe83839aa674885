"""The database a replay loads, made for loading as PostgreSQL advises for populating a database.

A rebuild's database is compared with the live one and never served, so before the replay every table is made
``UNLOGGED`` (its writes skip the write-ahead log; a server crash would empty it, and the rebuild would be run
again), and the foreign keys and the indexes no replayed statement reads are dropped, to be added once, over the
finished tables, after the replay (one join checks every journal line, where a trigger per line did). The unique
indexes stay: the replay's ``ON CONFLICT`` clauses and look-ups use them. The foreign keys are named in
:mod:`~medfund_ledger.adapters.tables` as PostgreSQL named them when the migrations created them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, Index, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from medfund_ledger.adapters.tables import metadata

UNLOGGED = text(
    "DO $$ DECLARE t record; BEGIN "
    "FOR t IN SELECT c.oid::regclass AS name FROM pg_class AS c "
    "WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND c.relnamespace = current_schema()::regnamespace "
    "ORDER BY EXISTS (SELECT 1 FROM pg_constraint AS f WHERE f.contype = 'f' AND f.confrelid = c.oid) LOOP "
    "EXECUTE format('ALTER TABLE %s SET UNLOGGED', t.name); END LOOP; END $$")
"""Every table of the schema unlogged; a table that a foreign key references after the tables referencing it (a
logged table cannot reference an unlogged one)."""


def built_after_loading() -> list[Index]:
    """The ledger's indexes that enforce nothing (the replay neither looks up by them nor conflicts on them)."""
    return sorted((index for table in metadata.tables.values() for index in table.indexes if not index.unique),
                  key=lambda index: index.name)


def checked_after_loading() -> list[ForeignKeyConstraint]:
    """The ledger's foreign keys (checked by one join each when added back, not by a trigger per row)."""
    return sorted((constraint for table in metadata.tables.values() for constraint in table.constraints
                   if isinstance(constraint, ForeignKeyConstraint)), key=lambda constraint: constraint.name)


async def prepare(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for constraint in checked_after_loading():
            await conn.execute(DropConstraint(constraint))
        await conn.execute(UNLOGGED)
        for index in built_after_loading():
            await conn.execute(DropIndex(index))


async def finish(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for index in built_after_loading():
            await conn.execute(CreateIndex(index))
        for constraint in checked_after_loading():
            await conn.execute(AddConstraint(constraint))
