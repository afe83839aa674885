"""Migration 0010 moves the answered requests of adjudication's ``requests`` table into the shared idempotency
store, so a retry sent across the upgrade still gets its first answer byte for byte; the downgrade moves them
back."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_shared.db import alembic_config, migrate

pytestmark = pytest.mark.integration
GATEWAY_ANSWER = '{"infcode":0,"output":{"setlinfo":{"setl_id":"ST1","hifp_pay":2847.50}}}'
NATIVE_ANSWER = '{"mdtrt_id":"MD1"}'
BEFORE = [{"key": "nhsa:H500240P:H500240P2026031000001", "digest": "d1", "answer": GATEWAY_ANSWER},
          {"key": "v1:his:H500240P:key:with:colons", "digest": "d2", "answer": NATIVE_ANSWER},
          {"key": "nhsa:H500240P:never-answered", "digest": "d3", "answer": None}]


async def test_the_upgrade_moves_each_answered_request_under_its_scope_and_the_downgrade_moves_it_back(
        service_database):
    url = service_database("medfund_adjudication")
    config = alembic_config("medfund_adjudication", url)
    await asyncio.to_thread(command.downgrade, config, "0009")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO requests (key, digest, answer) VALUES (:key, :digest, :answer)"),
                                     BEFORE)
        await asyncio.to_thread(migrate, "medfund_adjudication", url)
        async with engine.connect() as connection:
            moved = (await connection.execute(text(
                "SELECT scope, key, digest, status, answer #>> '{}' FROM idempotency_keys ORDER BY scope"))).all()
            requests_left = await connection.scalar(text("SELECT to_regclass('requests') IS NOT NULL"))
        await asyncio.to_thread(command.downgrade, config, "0009")
        async with engine.connect() as connection:
            back = (await connection.execute(text("SELECT key, digest, answer FROM requests ORDER BY key"))).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in moved] == [
        ("nhsa:H500240P", "H500240P2026031000001", "d1", 200, GATEWAY_ANSWER),
        ("v1:his:H500240P", "key:with:colons", "d2", 200, NATIVE_ANSWER)], "an unanswered request holds no claim"
    assert requests_left is False
    assert [tuple(r) for r in back] == [("nhsa:H500240P:H500240P2026031000001", "d1", GATEWAY_ANSWER),
                                        ("v1:his:H500240P:key:with:colons", "d2", NATIVE_ANSWER)]
