"""Many rows in one statement: columns are sent as arrays and ``unnest`` turns them back into rows.

A batch or a file chunk writes hundreds to thousands of rows per table; one array per column is
one prepared statement and one round trip whatever the number of rows, where an ``executemany``
costs a compiled parameter set and a server statement per row, and a multi-row VALUES a new
statement per batch size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Integer, Table, Text, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

TEXT, INT, BIGINT, BOOL = ARRAY(Text), ARRAY(Integer), ARRAY(BigInteger), ARRAY(Boolean)
DATE, TIMESTAMPTZ = ARRAY(Date), ARRAY(DateTime(timezone=True))


def any_of(values: Iterable, type_: ARRAY):
    """``column == any_of(values, bulk.TEXT)``: one array parameter where ``in_(values)`` renders one parameter per
    value, a new statement (prepared and planned again) for every count."""
    return any_(bindparam(None, list(values), type_=type_))


def statement(sql: str, columns: Mapping[str, TypeEngine], **scalars: TypeEngine):
    """``sql`` with each named column bound as an array of its type, and ``scalars`` as single values."""
    return text(sql).bindparams(*(bindparam(name, type_=type_) for name, type_ in (columns | scalars).items()))


async def execute(session: AsyncSession, stmt, rows: Sequence[Sequence], names: Sequence[str], **scalars):
    """Rows (tuples in ``names`` order) sent as one list per column."""
    arrays = {name: [row[index] for row in rows] for index, name in enumerate(names)}
    return await session.execute(stmt, arrays | scalars)


async def execute_records(session: AsyncSession, stmt, records: Sequence[Mapping], names: Sequence[str]):
    """Rows given as mappings (by column name) sent as one list per column."""
    return await session.execute(stmt, {name: [record[name] for record in records] for name in names})


async def copy_records(session: AsyncSession, table: Table, columns: Sequence[str],
                       records: Sequence[Sequence]) -> None:
    """``COPY`` rows (tuples in ``columns`` order) into ``table``, in the session's transaction: the fastest way
    rows get into PostgreSQL (an uploaded file's lines, thousands per call)."""
    connection = await session.connection()
    await connection.exec_driver_sql("SELECT 1")  # begins the session's transaction on the driver: COPY joins it
    driver = (await connection.get_raw_connection()).driver_connection
    await driver.copy_records_to_table(table.name, columns=list(columns), records=records)
