"""Migration 0008 takes the person-years financed before it from their booked transfers, so a refund after the
upgrade gives their catastrophic premium back (docs/funding.md)."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_shared.db import alembic_config, migrate

pytestmark = pytest.mark.integration
BEFORE = [
    "INSERT INTO coverage (psn_no, insutype, year, admdvs, active) VALUES ('P1', '390', 2026, '500240', 1), "
    "('P2', '390', 2026, '500240', 1)",
    "INSERT INTO journal_entries (id, entry_key, kind, origin, effective_date) "
    "VALUES (1, 'transfer:catastrophic:500240:2026:P1', 'transfer', 'event', '2026-01-05')",
    "INSERT INTO journal_lines (entry_id, pool_id, account, amount) VALUES "
    "(1, '500240:390100:2026', 'transfer:out', 3000), (1, '500240:390100:2026', 'cash', -3000), "
    "(1, '500240:390200:2026', 'cash', 3000), (1, '500240:390200:2026', 'transfer:in', -3000)",
]


async def test_the_upgrade_keeps_each_financed_person_year_and_only_those(service_database):
    url = service_database("medfund_ledger")
    await asyncio.to_thread(command.downgrade, alembic_config("medfund_ledger", url), "0007")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in BEFORE:
                await connection.execute(text(statement))
        await asyncio.to_thread(migrate, "medfund_ledger", url)
        async with engine.connect() as connection:
            rows = (await connection.execute(text(
                "SELECT psn_no, insutype, year, transfer_id, from_pool_id, to_pool_id, amount, financed, returns "
                "FROM catastrophic_financing"))).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [("P1", "390", 2026, "catastrophic:500240:2026:P1", "500240:390100:2026",
                                        "500240:390200:2026", 3000, True, 0)], "P2 was never financed"
