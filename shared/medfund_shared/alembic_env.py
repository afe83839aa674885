"""The body of every service's Alembic ``env.py``: async engine, one advisory lock, online only.

The advisory lock serialises migrations when several instances of a service start at once.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_shared.settings import Settings

_MIGRATION_LOCK = 7_310_001


def _run_sync(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


def run_migrations() -> None:
    """Call from ``env.py``; the URL comes from the config, else ``MEDFUND_DATABASE_URL``."""
    if context.is_offline_mode():
        raise RuntimeError("offline (SQL script) migrations are not supported")
    url = context.config.get_main_option("sqlalchemy.url") or Settings().database_url
    asyncio.run(_run_async(url))
