"""Each service's migrations, frozen as written, build exactly the tables its code declares, and the schema they
have always built."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_deploy.postgres import bin_dir
from medfund_deploy.profiles import SERVICES
from medfund_shared.db import migrate, scratch_database

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


RECORDED_HEADS = {"enrollment": "0007", "billing": "0009", "adjudication": "0015", "ledger": "0009"}
"""The revisions whose schema ``migrated_schemas/<service>.txt`` records (recorded before issue 21 moved the
migrations' shared parts into ``medfund_shared``); a later revision does not change them."""

RECORDED = Path(__file__).parent / "migrated_schemas"


def migrated_schema(profile, database: str) -> str:
    """``pg_dump --schema-only`` of ``database`` without its comment lines (the server's version), blank lines and
    the ``\\restrict`` lines around it (a key drawn afresh for each dump)."""
    dump = subprocess.run(
        [str(bin_dir() / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "-d",
         profile.database_url(database, driver="postgresql")],
        capture_output=True, text=True, check=True).stdout
    return "".join(f"{line}\n" for line in dump.splitlines() if line and not line.startswith(("--", "\\")))


@pytest.mark.parametrize("service", SERVICES)
async def test_the_recorded_revisions_build_the_schema_they_always_built(service, test_stack):
    """A helper a migration calls (``medfund_shared.db.create_platform_tables``, ``medfund_shared.batch_migration``) is
    frozen: the migrations up to the recorded head, as they are now, build the schema recorded from them."""
    database = f"medfund_{service}_{test_stack.session_tag}_recorded"
    async with scratch_database(test_stack.admin_database_url, database):
        await asyncio.to_thread(migrate, f"medfund_{service}", test_stack.profile.database_url(database),
                                RECORDED_HEADS[service])
        schema = await asyncio.to_thread(migrated_schema, test_stack.profile, database)
    assert schema == (RECORDED / f"{service}.txt").read_text()
