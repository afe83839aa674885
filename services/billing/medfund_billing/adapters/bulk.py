"""Many rows in one statement: columns are sent as arrays and ``unnest`` turns them back into rows.

A file chunk writes thousands of rows; an ``executemany`` costs SQLAlchemy a compiled parameter set
per row and the server a statement per row, while one array per column costs neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

TEXT, INT, BIGINT, BOOL = ARRAY(Text), ARRAY(Integer), ARRAY(BigInteger), ARRAY(Boolean)
DATE, TIMESTAMPTZ = ARRAY(Date), ARRAY(DateTime(timezone=True))


def statement(sql: str, types: Mapping[str, TypeEngine]):
    """``sql`` with each named parameter bound as an array of the given type."""
    return text(sql).bindparams(*(bindparam(name, type_=type_) for name, type_ in types.items()))


def columns(rows: Sequence[Mapping], names: Sequence[str]) -> dict[str, list]:
    """Rows (dicts) turned into one list per column, in row order."""
    return {name: [row[name] for row in rows] for name in names}


async def execute(session: AsyncSession, stmt, rows: Sequence[Mapping], names: Sequence[str]):
    return await session.execute(stmt, columns(rows, names))
