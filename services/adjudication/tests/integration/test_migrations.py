"""The migrations, frozen as written, build exactly the tables the code declares."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_adjudication.adapters.tables import metadata

pytestmark = pytest.mark.integration


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    """Only adjudication's tables: the platform tables belong to ``medfund_shared.db``."""
    return type_ != "table" or name in metadata.tables


def _differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "compare_server_default": True, "include_object": _ours})
    return compare_metadata(context, metadata)


async def test_a_migrated_database_matches_the_table_definitions(service_database):
    engine = create_async_engine(service_database("medfund_adjudication"))
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()
