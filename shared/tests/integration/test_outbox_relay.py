"""The outbox relay publishes every committed event, in order, even across a broker restart, and only while it
holds its lock."""

import asyncio
from collections import Counter

import pytest
from platform_testkit import (
    first_occurrence_order_per_key,
    published_at_least,
    read_topic,
    scalar,
    unpublished_is,
    write_events,
)
from sqlalchemy import text

from medfund_deploy.evidence import wait_until
from medfund_deploy.pytest_plugin import TestStack
from medfund_shared.events.types.alerts import TOPIC
from medfund_shared.outbox import RELAY_LOCK_KEY, OutboxRelay

pytestmark = pytest.mark.integration


async def test_relay_publishes_each_event_once_in_order_per_key(database, topic_settings):
    url, _, sessions = database("medfund_billing")
    settings = topic_settings(url)
    await write_events(sessions, range(300))
    relay = OutboxRelay(settings, sessions)
    task = asyncio.create_task(relay.run())
    try:
        await wait_until(lambda: unpublished_is(sessions, 0), "the outbox to drain", 60)
    finally:
        task.cancel()
    events = await read_topic(settings, TOPIC, 300)
    copies = Counter(e.id for e in events)
    print(f"\noutbox rows 300, records on topic {len(events)}, distinct ids {len(copies)}")
    assert len(copies) == 300 and set(copies.values()) == {1}
    assert all(seqs == sorted(seqs) for seqs in first_occurrence_order_per_key(events).values())


async def test_relay_loses_and_reorders_nothing_when_the_broker_restarts(database, topic_settings,
                                                                         test_stack: TestStack):
    url, _, sessions = database("medfund_billing")
    settings = topic_settings(url)
    relay = OutboxRelay(settings, sessions)
    task = asyncio.create_task(relay.run())
    try:
        writer = asyncio.create_task(_write_steadily(sessions, 600))
        await wait_until(lambda: published_at_least(sessions, 100), "publishing to start", 60)
        await asyncio.to_thread(test_stack.restart_kafka)
        await writer
        await wait_until(lambda: unpublished_is(sessions, 0), "the outbox to drain after the restart", 120)
    finally:
        task.cancel()
    events = await read_topic(settings, TOPIC, 600)
    copies = Counter(e.id for e in events)
    print(f"\noutbox rows 600, records on topic {len(events)}, distinct ids {len(copies)} "
          f"(duplicates from resent batches: {len(events) - len(copies)})")
    assert len(copies) == 600
    assert all(seqs == sorted(seqs) for seqs in first_occurrence_order_per_key(events).values())


async def test_only_one_relay_per_database_publishes(database, topic_settings):
    url, _, sessions = database("medfund_billing")
    settings = topic_settings(url)
    first, second = OutboxRelay(settings, sessions), OutboxRelay(settings, sessions)
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    try:
        await wait_until(lambda: _any_holds(first, second), "a relay to take the lock", 120)
        await wait_until(lambda: _a_relay_was_refused_the_lock(sessions), "the other relay to try the lock", 120)
        assert [first.holds_lock, second.holds_lock].count(True) == 1
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _a_relay_was_refused_the_lock(sessions) -> bool:
    """Evidence that the second relay asked: a connection whose last statement tried the relay's lock and that
    does not hold it (the one that does is the first relay's)."""
    return await scalar(sessions, f"""
        SELECT count(*) FROM pg_stat_activity AS a
        WHERE a.datname = current_database() AND a.query LIKE 'SELECT pg_try_advisory_lock(%'
          AND NOT EXISTS (SELECT 1 FROM pg_locks AS l WHERE l.pid = a.pid AND l.locktype = 'advisory'
                          AND l.objid::bigint = {RELAY_LOCK_KEY & 0xFFFFFFFF} AND l.granted)""") > 0


async def _any_holds(*relays, holding: bool = True) -> bool:
    return any(r.holds_lock is holding for r in relays)


async def _write_steadily(sessions, total: int, chunk: int = 20) -> None:
    for start in range(0, total, chunk):
        await write_events(sessions, range(start, start + chunk))
        await asyncio.sleep(0.05)




async def test_a_relay_that_lost_its_lock_connection_stops_publishing_before_its_next_batch(database,
                                                                                            topic_settings):
    url, engine, sessions = database("medfund_billing")
    await write_events(sessions, range(3000))
    # small batches: the relay stays busy for many seconds, never idle (idle, it touches its lock connection)
    relay = OutboxRelay(topic_settings(url), sessions, batch_size=10, batch_window=0.05)
    task = asyncio.create_task(relay.run())
    try:
        await wait_until(lambda: published_at_least(sessions, 100), "publishing to start", 60)
        async with engine.connect() as thief:
            await thief.execution_options(isolation_level="AUTOCOMMIT")
            # another instance takes the lock the moment the relay's lock connection is gone
            # this database's relay only: the test server's other databases have relays holding the same key
            await thief.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND objid = :k AND database = (SELECT oid FROM pg_database "
                                     "WHERE datname = current_database())"), {"k": RELAY_LOCK_KEY})
            assert await thief.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": RELAY_LOCK_KEY})
            published_at_theft = await _published(sessions)
            await wait_until(lambda: _any_holds(relay, holding=False), "the relay to notice the lost lock", 30)
            # at most the one batch already past its check when the lock went
            assert await _published(sessions) <= published_at_theft + 10
            await thief.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RELAY_LOCK_KEY})
        await wait_until(lambda: unpublished_is(sessions, 0), "the relay to take the lock back and drain", 120)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _published(sessions) -> int:
    return await scalar(sessions, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL")
