"""Each service's migrations, frozen as written, build exactly the tables its code declares."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_deploy.profiles import SERVICES

pytestmark = pytest.mark.integration


def _differences(connection, metadata, server_defaults: bool) -> list:
    """Only the service's own tables: the platform tables belong to ``medfund_shared.db``."""
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "compare_server_default": server_defaults,
        "include_object": lambda obj, name, type_, reflected, compare_to: type_ != "table" or name in metadata.tables})
    return compare_metadata(context, metadata)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_migrated_database_matches_the_table_definitions(service, service_database):
    """Enrollment's ``persons.psn_no`` default is generated in its migration only, so its defaults are not compared."""
    package = f"medfund_{service}"
    metadata = importlib.import_module(f"{package}.adapters.tables").metadata
    engine = create_async_engine(service_database(package))
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences, metadata, service != "enrollment") == []
    finally:
        await engine.dispose()
