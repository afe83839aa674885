"""A replay's database is made for loading (unlogged, without foreign keys and the indexes nothing reads while it
loads), and after the replay it has every index and constraint a migrated ledger database has, defined alike."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from medfund_ledger.adapters import replay_target
from medfund_shared.db import create_engine
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration

INDEXES = text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
CONSTRAINTS = text("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE connamespace = current_schema()::regnamespace")
LOGGED_TABLES = text("SELECT relname FROM pg_class WHERE relkind = 'r' AND relpersistence = 'p' "
                     "AND relnamespace = current_schema()::regnamespace")


async def _read(engine, query) -> set[tuple]:
    async with engine.connect() as conn:
        return {tuple(row) for row in await conn.execute(query)}


async def test_the_target_loads_unlogged_without_its_plain_indexes_and_ends_with_all_of_them(service_database):
    migrated = create_engine(Settings(database_url=service_database("medfund_ledger")))
    target = create_engine(Settings(database_url=service_database("medfund_ledger")))
    try:
        expected, constraints = await _read(migrated, INDEXES), await _read(migrated, CONSTRAINTS)
        assert ("journal_lines", "journal_lines_entry_id_fkey",
                "FOREIGN KEY (entry_id) REFERENCES journal_entries(id)") in constraints
        plain = {index.name for index in replay_target.built_after_loading()}
        assert plain >= {"journal_lines_pool", "journal_lines_account", "journal_lines_entry",
                         "settlement_facts_pool_date", "settlement_facts_region", "coverage_region"}
        assert plain <= {name for name, _ in expected}

        await replay_target.prepare(target)
        assert await _read(target, LOGGED_TABLES) == set()
        assert {name for name, _ in await _read(target, INDEXES)} == {name for name, _ in expected} - plain
        assert "journal_entries_entry_key_key" in {name for name, _ in await _read(target, INDEXES)}
        assert {name for _, name, _ in await _read(target, CONSTRAINTS)} == {
            name for _, name, _ in constraints} - {"journal_lines_entry_id_fkey"}

        await replay_target.finish(target)
        assert await _read(target, INDEXES) == expected
        assert await _read(target, CONSTRAINTS) == constraints
    finally:
        await migrated.dispose()
        await target.dispose()
