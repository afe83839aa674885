"""A scratch database beside a service's: made empty, dropped on the way out unless kept."""

from __future__ import annotations

import asyncpg

from medfund_shared.db import drop_database, scratch_database


async def _exists(test_stack, name: str) -> bool:
    connection = await asyncpg.connect(test_stack.profile.database_url("postgres", "postgresql"))
    try:
        return await connection.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", name) == 1
    finally:
        await connection.close()


async def test_a_scratch_database_is_empty_and_dropped_after(test_stack):
    name = f"scratch_{test_stack.session_tag}_dropped"
    async with scratch_database(test_stack.admin_database_url, name) as url:
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await connection.fetchval("SELECT current_database()") == name
            assert await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        finally:
            await connection.close()
        assert await _exists(test_stack, name)
    assert not await _exists(test_stack, name)


async def test_a_kept_scratch_database_stays(test_stack):
    name = f"scratch_{test_stack.session_tag}_kept"
    try:
        async with scratch_database(test_stack.admin_database_url, name, keep=True):
            pass
        assert await _exists(test_stack, name)
    finally:
        await drop_database(test_stack.admin_database_url, name)
