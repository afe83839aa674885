"""Batch projection books exactly what event-by-event projection books, once, whatever the batch holds.

The consumer runner is driven directly with Kafka-shaped records (no broker needed for the
question asked here); each database is a fresh, migrated ledger.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from types import SimpleNamespace

import pytest
from aiokafka import TopicPartition
from sqlalchemy import text

from medfund_ledger.adapters import money_events
from medfund_ledger.adapters.handlers import BATCH_HANDLER, HANDLERS, TOPICS
from medfund_ledger.adapters.rebuild import compare
from medfund_ledger.projection_rate import synthetic_events
from medfund_shared.consumer import ConsumerRunner
from medfund_shared.db import create_engine, create_session_factory
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.registry import lookup
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
PARTITIONS = 3
SNAPSHOT = {
    "journal": "SELECT e.entry_key, e.kind, e.origin, e.effective_date, e.memo, "
               "string_agg(l.pool_id || ' ' || l.account || ' ' || l.amount, '; ' "
               "ORDER BY l.pool_id, l.account, l.amount) "
               "FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.id GROUP BY e.id",
    "balances": "SELECT pool_id, account, amount FROM account_balances",
    "months": "SELECT pool_id, month, income, expenditure FROM pool_months",
    "pools": "SELECT pool_id, admdvs, fund_pay_type, year FROM pools",
    "facts": "SELECT * FROM settlement_facts",
    "inpatient_days": "SELECT * FROM pool_inpatient_days",
    "payments": "SELECT fixmedins_code, year, fund_paid FROM institution_payments",
    "coverage": "SELECT psn_no, insutype, year, admdvs, active FROM coverage",
    "institutions": "SELECT * FROM institutions",
    "populations": "SELECT * FROM populations",
    "clocks": "SELECT admdvs, business_time FROM region_clocks",
    "queued": "SELECT event_id, fixmedins_code FROM pending_evaluations",
    "processed": "SELECT consumer, event_id FROM processed_events",
    "parked": "SELECT event_id, reason FROM dead_letters",
}


@pytest.fixture
async def ledger_database(service_database):
    """``make()``: a session factory on a fresh ledger database; engines disposed after the test."""
    engines = []

    def make():
        engine = create_engine(Settings(database_url=service_database("medfund_ledger")))
        engines.append(engine)
        return create_session_factory(engine)

    yield make
    for engine in engines:
        await engine.dispose()


def records(events: list[CloudEvent]) -> list[SimpleNamespace]:
    """Kafka records as the broker would deliver them: per topic, partitioned by key, offsets counted per partition."""
    offsets: dict[TopicPartition, int] = defaultdict(int)
    out = []
    for event in events:
        key, value, headers = event.to_kafka()
        tp = TopicPartition(lookup(event.type).topic, zlib.crc32(key) % PARTITIONS)
        out.append(SimpleNamespace(topic=tp.topic, partition=tp.partition, offset=offsets[tp], key=key, value=value,
                                   headers=headers))
        offsets[tp] += 1
    return out


def by_partition(chunk: list[SimpleNamespace]) -> dict[TopicPartition, list[SimpleNamespace]]:
    batch: dict[TopicPartition, list[SimpleNamespace]] = {}
    for record in chunk:
        batch.setdefault(TopicPartition(record.topic, record.partition), []).append(record)
    return batch


async def project(sessions, events: list[CloudEvent], chunk: int | None = None, consumer: str = "fund-ledger",
                  delivered: list[SimpleNamespace] | None = None) -> None:
    """Apply ``events`` with the ledger's runner, ``chunk`` records per batch (all in one batch when None)."""
    runner = ConsumerRunner(consumer, TOPICS, HANDLERS, sessions, Settings(), batch_handler=BATCH_HANDLER,
                            fast_decode=True)
    delivered = delivered if delivered is not None else records(events)
    size = chunk or len(delivered)
    for start in range(0, len(delivered), size):
        await runner.apply_batch(by_partition(delivered[start:start + size]))


async def snapshot(sessions) -> dict[str, set]:
    async with sessions() as session:
        return {name: {tuple(row) for row in await session.execute(text(sql))} for name, sql in SNAPSHOT.items()}


def poison(events: list[CloudEvent]) -> list[CloudEvent]:
    """A settlement of a scheme the ledger has no pool for (refused after its entry was written) and a subsidy
    whose shares do not add up (refused by the domain before anything is written)."""
    settlement = next(e for e in events if e.type == "medfund.claims.settlement.completed.v1")
    subsidy = next(e for e in events if e.type == "medfund.billing.subsidy.allocated.v1")
    return [settlement.model_copy(update={"id": "poison-settlement", "data": settlement.data | {"insutype": "999"}}),
            subsidy.model_copy(update={"id": "poison-subsidy", "data": subsidy.data | {"amount": "1.00"}})]


def expected_balances(events: list[CloudEvent]) -> set[tuple[str, str, int]]:
    """Account balances summed naively from each money event's entry."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for event in events:
        if event.type in money_events.BUILDERS:
            for line in money_events.entry_for(event, lookup(event.type).model_validate(event.data)).lines:
                totals[(line.pool_id, line.account)] += line.amount
    return {(pool_id, account, amount) for (pool_id, account), amount in totals.items()}


async def test_one_batch_and_event_by_event_book_the_same_journal_and_projections(ledger_database):
    events = synthetic_events(1200)
    assert {e.type for e in events} >= set(money_events.BUILDERS) | {"medfund.enrollment.coverage.activated.v1"}
    one_batch, per_event, chunks = ledger_database(), ledger_database(), ledger_database()
    await project(one_batch, events)
    await project(per_event, events[:200], chunk=1)
    await project(per_event, events[200:], delivered=records(events)[200:], chunk=None)
    await project(chunks, events, chunk=37)

    expected = await snapshot(one_batch)
    assert expected["balances"] == expected_balances(events)
    assert len(expected["journal"]) == sum(e.type in money_events.BUILDERS for e in events)
    assert len(expected["processed"]) == len(events) and not expected["parked"]
    assert await snapshot(chunks) == expected
    assert await snapshot(per_event) == expected
    assert await comparison(one_batch, per_event) == ([], [])


async def comparison(live, rebuilt) -> tuple[list[str], list[str]]:
    """(entries, balances) the rebuild's comparison finds different."""
    async with live() as live_session, rebuilt() as rebuilt_session:
        result = await compare(live_session, rebuilt_session)
    assert result.live_entries == result.rebuilt_entries and not result.missing and not result.extra
    return result.different, result.balance_differences


async def test_the_rebuild_comparison_finds_an_entry_whose_lines_differ(ledger_database):
    events = synthetic_events(300)
    live, rebuilt = ledger_database(), ledger_database()
    await project(live, events)
    await project(rebuilt, events)
    changed = next(e.id for e in events if e.type == "medfund.claims.settlement.completed.v1")
    async with rebuilt() as session, session.begin():
        await session.execute(text("UPDATE journal_lines SET amount = amount + sign(amount) FROM journal_entries e "
                                   "WHERE e.id = journal_lines.entry_id AND e.entry_key = :key"), {"key": changed})
        await session.execute(text("UPDATE account_balances SET amount = amount + 1 WHERE account = 'cash'"))
    different, balances = await comparison(live, rebuilt)
    assert different == [changed] and balances


async def test_the_rebuild_comparison_names_an_entry_missing_from_the_rebuild_and_one_only_there(ledger_database):
    events = synthetic_events(300)
    live, rebuilt = ledger_database(), ledger_database()
    await project(live, events)
    await project(rebuilt, events)
    settlements = [e.id for e in events if e.type == "medfund.claims.settlement.completed.v1"]
    async with rebuilt() as session, session.begin():
        await session.execute(text("DELETE FROM journal_lines USING journal_entries e "
                                   "WHERE e.id = journal_lines.entry_id AND e.entry_key = :key"),
                              {"key": settlements[0]})
        await session.execute(text("DELETE FROM journal_entries WHERE entry_key = :key"), {"key": settlements[0]})
        await session.execute(text("UPDATE journal_entries SET entry_key = 'only-rebuilt' WHERE entry_key = :key"),
                              {"key": settlements[1]})
    async with live() as live_session, rebuilt() as rebuilt_session:
        result = await compare(live_session, rebuilt_session)
    assert (result.missing, result.extra, result.different) == (sorted(settlements[:2]), ["only-rebuilt"], [])
    assert result.rebuilt_entries == result.live_entries - 1
    assert not result.equal


async def test_a_poison_event_in_a_batch_parks_only_itself_and_the_others_apply_once(ledger_database):
    events = synthetic_events(600)
    bad = poison(events)
    clean, poisoned = ledger_database(), ledger_database()
    await project(clean, events)
    await project(poisoned, events[:300] + bad[:1] + events[300:] + bad[1:])

    expected, got = await snapshot(clean), await snapshot(poisoned)
    assert {event_id for event_id, _ in got.pop("parked")} == {"poison-settlement", "poison-subsidy"}
    poisoned_ids = {("fund-ledger", "poison-settlement"), ("fund-ledger", "poison-subsidy")}
    assert got.pop("processed") == expected.pop("processed") | poisoned_ids
    expected.pop("parked")
    assert got == expected


async def test_a_duplicate_in_the_batch_or_an_event_applied_before_is_booked_once(ledger_database):
    events = synthetic_events(600)
    with_duplicates = events[:100] + events[:100] + events[100:] + events[50:150]
    redelivered = records(with_duplicates + events)
    once, twice = ledger_database(), ledger_database()
    await project(once, events)
    await project(twice, with_duplicates, delivered=redelivered[:len(with_duplicates)])
    expected = await snapshot(once)
    assert await snapshot(twice) == expected

    await project(twice, events, delivered=redelivered[len(with_duplicates):])
    assert await snapshot(twice) == expected
    await project(twice, events, consumer="fund-ledger-second-member")
    after = await snapshot(twice)
    assert len(after.pop("processed")) == 2 * len(events)
    expected.pop("processed")
    assert after == expected, "an entry booked already must not move balances, payments or facts again"


async def test_the_inpatient_days_are_the_inpatient_facts_summed_per_pool_and_day(ledger_database):
    events = synthetic_events(600)
    sessions = ledger_database()
    await project(sessions, events[:300] + events[:300] + events[300:], chunk=97)
    await project(sessions, events[250:350])
    async with sessions() as session:
        from_facts = {tuple(row) for row in await session.execute(text(
            "SELECT pooled_pool_id, setl_date, sum(inpatient), sum(pooled_fund_paid) FROM settlement_facts "
            "WHERE inpatient <> 0 GROUP BY pooled_pool_id, setl_date"))}
        days = {tuple(row) for row in await session.execute(text("SELECT * FROM pool_inpatient_days"))}
    assert from_facts and days == from_facts


async def test_invalid_data_and_a_malformed_envelope_are_parked_with_their_reason_and_change_nothing(ledger_database):
    """Decoded without pydantic (the ledger's runner), a bad event still goes to the dead letters, saying why."""
    events = synthetic_events(300)
    settlement = next(e for e in events if e.type == "medfund.claims.settlement.completed.v1")
    three_decimals = settlement.model_copy(update={"id": "three-decimals", "data": settlement.data | {
        "funds": [{"fund_pay_type": "390100", "fund_payamt": "12.345"}]}})
    no_year = settlement.model_copy(update={"id": "no-year", "data": {
        k: v for k, v in settlement.data.items() if k != "year"}})
    naive_time = settlement.model_copy(update={"id": "naive-time"})
    delivered = records(events + [three_decimals, no_year, naive_time])
    delivered[-1].headers = [(k, b"2026-03-31T09:30:00" if k == "ce_time" else v) for k, v in delivered[-1].headers]
    clean, bad = ledger_database(), ledger_database()
    await project(clean, events)
    await project(bad, events, delivered=delivered)

    expected, got = await snapshot(clean), await snapshot(bad)
    parked = dict(got.pop("parked"))
    assert set(parked) == {"three-decimals", "no-year", "naive-time"}
    assert parked["three-decimals"].startswith("invalid data: ")
    assert "$.funds[0].fund_payamt" in parked["three-decimals"]
    assert parked["no-year"].startswith("invalid data: ") and "`year`" in parked["no-year"]
    assert parked["naive-time"].startswith("malformed envelope: ") and "time zone" in parked["naive-time"]
    assert got.pop("processed") == expected.pop("processed") | {("fund-ledger", "three-decimals"),
                                                                 ("fund-ledger", "no-year")}
    expected.pop("parked")
    assert got == expected
