"""Many rows in one statement: columns are sent as arrays and ``unnest`` turns them back into rows.

A batch writes hundreds of rows per table; one array per column is one prepared statement and
one round trip whatever the number of rows, where an ``executemany`` or a multi-row VALUES costs
a statement per row or a new statement per batch size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import BigInteger, Date, Integer, Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

TEXT, INT, BIGINT, DATE = ARRAY(Text), ARRAY(Integer), ARRAY(BigInteger), ARRAY(Date)


def statement(sql: str, columns: Mapping[str, TypeEngine], **scalars: TypeEngine):
    """``sql`` with each named column bound as an array of its type, and ``scalars`` as single values."""
    return text(sql).bindparams(*(bindparam(name, type_=type_) for name, type_ in (columns | scalars).items()))


async def execute(session: AsyncSession, stmt, rows: Sequence[Sequence], columns: Sequence[str], **scalars):
    """Rows (tuples in ``columns`` order) sent as one list per column."""
    arrays = {name: [row[index] for row in rows] for index, name in enumerate(columns)}
    return await session.execute(stmt, arrays | scalars)
