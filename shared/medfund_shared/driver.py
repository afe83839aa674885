"""A hot path's statements on the driver itself: Core statements compiled once to asyncpg's SQL.

The statements stay SQLAlchemy Core built on the service's tables; only their execution skips the ORM
session and SQLAlchemy's per-call compile-cache, parameter and result processing, which cost a settlement
as much as its round trips. The transaction is asyncpg's own, on a connection borrowed from the engine's
pool, so the pool, its size and its invalidation after a lost database stay SQLAlchemy's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import JSON
from sqlalchemy.util import greenlet_spawn

from medfund_shared.errors import is_unavailable

_DIALECT = asyncpg_dialect()


@dataclass(frozen=True)
class DriverStatement:
    """A statement's SQL with ``$n`` placeholders and, in their order, the names of its bound parameters."""

    sql: str
    names: tuple[str, ...]
    json_names: frozenset[str]
    """Parameters of JSON columns: the connection's codec (set up by SQLAlchemy) takes them as text, which orjson
    writes several times faster than ``json`` (a settlement's result is a few KB; jsonb keeps no formatting)."""
    constants: Mapping[str, Any]
    """The values of the statement's literals (``literal(1)``), which callers do not pass."""

    @classmethod
    def of(cls, statement: ClauseElement) -> DriverStatement:
        compiled = statement.compile(dialect=_DIALECT)
        names = tuple(compiled.positiontup or ())
        binds = {n: compiled.binds[n] for n in names}
        return cls(str(compiled), names, frozenset(n for n, b in binds.items() if isinstance(b.type, JSON)),
                   {n: b.value for n, b in binds.items() if not b.required})

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = {**self.constants, **params} if self.constants else params
        return [orjson.dumps(values[n], option=orjson.OPT_NON_STR_KEYS).decode() if n in self.json_names
                else values[n] for n in self.names]

    async def fetch(self, connection: asyncpg.Connection, params: Mapping[str, Any]) -> list[asyncpg.Record]:
        return await connection.fetch(self.sql, *self.args(params))

    async def fetchrow(self, connection: asyncpg.Connection, params: Mapping[str, Any]) -> asyncpg.Record | None:
        return await connection.fetchrow(self.sql, *self.args(params))

    async def fetchval(self, connection: asyncpg.Connection, params: Mapping[str, Any]) -> Any:
        return await connection.fetchval(self.sql, *self.args(params))


@asynccontextmanager
async def connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection's driver, outside any transaction: each statement commits on its own.

    The connection comes from the pool itself, not through a SQLAlchemy ``Connection`` (whose set-up cost
    as much as a statement); the pool's check-in and invalidation run in SQLAlchemy's greenlet bridge. A
    connection whose error says the database is unavailable is invalidated: the pool must not hand it out again."""
    pooled = await engine.raw_connection()
    try:
        yield pooled.driver_connection
    except Exception as exc:
        if is_unavailable(exc):
            await greenlet_spawn(pooled.invalidate)
        raise
    finally:
        await greenlet_spawn(pooled.close)


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """One transaction on a pooled connection's driver (see :func:`connection`); it commits when the block
    ends without an error."""
    async with connection(engine) as driver_connection, driver_connection.transaction():
        yield driver_connection
