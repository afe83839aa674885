"""Database plumbing: engine and sessions, the platform tables, migrations, database creation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, Table, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from medfund_shared.settings import Settings

platform_metadata = MetaData()
"""The platform tables. Frozen: every service's migration 0001 creates them from these definitions
(:func:`create_platform_tables`), and ``tests/e2e/test_migrations.py`` holds the migrated schema to the recorded one."""

outbox_table = Table(
    "outbox", platform_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
    Column("topic", Text, nullable=False, comment="base name; the relay applies the topic prefix"),
    Column("key", Text),
    Column("type", Text, nullable=False),
    Column("envelope", JSONB, nullable=False, comment="CloudEvent attributes without data"),
    Column("payload", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Index("outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
)

consumer_offsets_table = Table(
    "consumer_offsets", platform_metadata,
    Column("consumer", Text, primary_key=True),
    Column("topic", Text, primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

processed_events_table = Table(
    "processed_events", platform_metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

dead_letters_table = Table(
    "dead_letters", platform_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("consumer", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("event_id", Text),
    Column("event_type", Text),
    Column("headers", JSONB),
    Column("payload", JSONB),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("resolved_at", DateTime(timezone=True)),
    Index("dead_letters_unresolved", "consumer", "id", postgresql_where=text("resolved_at IS NULL")),
)


GENERIC_PLANS = {"server_settings": {"plan_cache_mode": "force_generic_plan"}}
"""Connection options that make PostgreSQL plan each prepared statement once, for any parameter values.

In its default mode, PostgreSQL plans a prepared statement afresh for each of its first five executions on a
connection before it settles on the generic plan. For the settlement reading that is about 1.4 ms of server
CPU a time against 0.18 ms to execute it (measured), paid again by every new pooled connection.

A connection keeps its plan until ANALYZE changes a table's statistics. A new database has none yet, so a hot
statement's tables should offer one right index for it (docs/development.md, "Database plumbing")."""


def create_engine(settings: Settings, *, generic_plans: bool = False, **overrides) -> AsyncEngine:
    """A fixed pool, opened lazily, with no overflow.

    Overflow connections are closed on return whenever the pool is full, so under steady concurrency above
    the pool size every request would pay a new PostgreSQL backend and re-prepare its statements; past
    ``db_pool_size`` in use, a request waits for a connection instead. No pre-ping (three round trips per
    checkout): after a database restart the first statement on a stale connection fails as "unavailable",
    which invalidates the pool, and the caller retries (a HIS resends the same msgid). JSON columns are read with
    orjson, several times faster than ``json`` on a settlement's stored documents, to the same Python values.
    ``generic_plans``: see :data:`GENERIC_PLANS`. The statement's parameters (resident ID numbers, names) are
    left out of SQLAlchemy's error messages, so that no log line or traceback prints them.
    """
    options = {"pool_size": settings.db_pool_size, "max_overflow": 0, "pool_recycle": 1800,
               "json_deserializer": orjson.loads, "hide_parameters": True} | overrides
    if generic_plans:
        options["connect_args"] = GENERIC_PLANS
    return create_async_engine(settings.database_url, **options)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def create_platform_tables(connection: Connection | None = None) -> None:
    """Inside an Alembic migration: create outbox, consumer_offsets, processed_events, dead_letters.

    Every service's ``0001_platform`` is this function (its ``upgrade``): frozen, see :data:`platform_metadata`."""
    platform_metadata.create_all(connection or _migration_bind())


def drop_platform_tables(connection: Connection | None = None) -> None:
    """Every service's ``0001_platform`` downgrade."""
    platform_metadata.drop_all(connection or _migration_bind())


def _migration_bind() -> Connection:
    from alembic import op

    return op.get_bind()


def alembic_config(package: str, database_url: str):
    """Alembic config for ``<package>/adapters/migrations`` (package resource syntax, no ini file)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", f"{package}.adapters:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def migrate(package: str, database_url: str, revision: str = "head") -> None:
    """``alembic upgrade head`` for a service package (blocking; it runs its own event loop)."""
    from alembic import command

    command.upgrade(alembic_config(package, database_url), revision)


async def migrate_async(package: str, database_url: str) -> None:
    """:func:`migrate` from async code: Alembic's async env needs a loop of its own, so use a thread."""
    await asyncio.to_thread(migrate, package, database_url)


async def ensure_database(admin_url: str, name: str) -> bool:
    """Create database ``name`` if missing (True when created); ``admin_url`` points at an existing one."""
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists:
                return False
            await conn.execute(text(f'CREATE DATABASE "{_identifier(name)}"'))
            return True
    finally:
        await engine.dispose()


async def drop_database(admin_url: str, name: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{_identifier(name)}" WITH (FORCE)'))
    finally:
        await engine.dispose()


@asynccontextmanager
async def scratch_database(url: str, name: str, *, keep: bool = False) -> AsyncIterator[str]:
    """Database ``name``, created empty beside ``url``'s (the same server and credentials): yields its URL and
    drops it on the way out, unless ``keep`` (what a rebuild or a replay benchmark works in)."""
    await ensure_database(url, name)
    try:
        yield database_url_for(url, name)
    finally:
        if not keep:
            await drop_database(url, name)


def database_url_for(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {name!r}")
    return name
