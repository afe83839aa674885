"""Faults under load: every accepted request has exactly one effect everywhere.

While a bounded generated population enrolls, pays, gets covered and is settled through the public
APIs, each service in turn is SIGKILLed and restarted, then the Kafka broker and PostgreSQL are
restarted. Afterwards: settlements in adjudication = settlement events on the topic (one event id per
settlement) = ledger journal entries; the pools' benefit expense per fund and the individual
contribution income equal the sums of the accepted answers; no dead letters anywhere.

The outbox relay publishes at least once (architecture rule 2): a relay killed after Kafka acknowledged
a batch but before it marked the rows sent resends them, so the topic may carry a second copy of an
event, with the same id. Consumers apply it once (rule 3); the counts printed say how many copies came.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from medfund_bench.workload import ADMDVS, YEAR, Medfund, Unanswered, stay_amount

from medfund_deploy import kafka, postgres
from medfund_deploy.chaos import CHAOS, ServiceSet, restart_kafka, restart_postgres
from medfund_deploy.profiles import SERVICES
from medfund_shared.money import Money

pytestmark = pytest.mark.chaos

PEOPLE = 24
STAYS_PER_PERSON = 2
CONCURRENCY = 6
COVERAGE_WAIT = 180.0
SETTLE_WAIT = 180.0
SETTLED = "medfund.claims.settlement.completed.v1"


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def case(api: Medfund, index: int, rng: random.Random, outcome: Counter, uncovered: list) -> None:
    """One person: enroll, pay, wait for coverage, then settle each stay."""
    person = await api.enroll(api.person(index))
    await api.pay(person, index)
    if not await api.covered(person, COVERAGE_WAIT):
        outcome["never covered"] += 1
        uncovered.append(person)
        return
    for stay in range(STAYS_PER_PERSON):
        number = index * STAYS_PER_PERSON + stay
        amount = stay_amount(rng)
        mdtrt_id, ends = await api.prepare_stay(person, number, amount)
        answer = await api.settle(person, mdtrt_id, ends, amount, number)
        outcome["settled" if answer["infcode"] == 0 else "refused"] += 1


async def load(api: Medfund, outcome: Counter, uncovered: list) -> list[BaseException]:
    rng = random.Random(7)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def bounded(index: int) -> None:
        async with gate:
            await case(api, index, rng, outcome, uncovered)

    results = await asyncio.gather(*(bounded(i) for i in range(PEOPLE)), return_exceptions=True)
    return [r for r in results if isinstance(r, BaseException)]


def inject(stack: ServiceSet, log: list[str]) -> None:
    """The fault schedule, run in a thread while the load runs: each service, then Kafka, then PostgreSQL."""
    time.sleep(3)
    for service in SERVICES:
        pid = stack.sigkill(service)
        log.append(f"SIGKILL {service} (pid {pid})")
        time.sleep(1)
        stack.start(service)
        log.append(f"restarted {service}")
        time.sleep(2)
    restart_kafka(CHAOS)
    log.append("restarted Kafka")
    time.sleep(3)
    restart_postgres(CHAOS)
    log.append("restarted PostgreSQL")


async def settlement_events(stack: ServiceSet) -> list[tuple[str, str]]:
    """(event id, setl_id) of every settlement event on the claims topic, read committed, from the start."""
    topic = f"{stack.topic_prefix}medfund.claims.v1"
    consumer = AIOKafkaConsumer(bootstrap_servers=CHAOS.kafka_bootstrap, isolation_level="read_committed",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            partitions = [TopicPartition(topic, p) for p in (await _partitions(consumer, topic))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and [p for p in partitions if await consumer.position(p) < ends[p]]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    if headers.get("ce_type") == SETTLED:
                        found.append((headers["ce_id"], json.loads(record.value)["setl_id"]))
        return found
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer._client.cluster.partitions_for_topic(topic) or set()


async def wait_for_ledger(stack: ServiceSet, expected: int) -> int:
    conn = await asyncpg.connect(dsn(stack.databases["ledger"]))
    try:
        deadline = time.monotonic() + SETTLE_WAIT
        while True:
            booked = await conn.fetchval("SELECT count(*) FROM journal_entries WHERE kind = 'settlement'")
            if booked >= expected or time.monotonic() > deadline:
                return booked
            await asyncio.sleep(1)
    finally:
        await conn.close()


async def query(stack: ServiceSet, service: str, sql: str, *args: object) -> list:
    conn = await asyncpg.connect(dsn(stack.databases[service]))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def test_every_accepted_request_has_exactly_one_effect(chaos_stack: ServiceSet) -> None:
    api = Medfund({service: chaos_stack.url(service) for service in SERVICES})
    faults: list[str] = []
    outcome: Counter = Counter()
    uncovered: list = []
    try:
        await api.registry()
        fault_thread = asyncio.to_thread(inject, chaos_stack, faults)
        errors, _ = await asyncio.gather(load(api, outcome, uncovered), fault_thread)
        late = [p.psn_no for p in uncovered if await api.covered(p, 30)]
    finally:
        await api.close()
    assert not [e for e in errors if not isinstance(e, Unanswered)], errors
    accepted = api.accepted

    booked = await wait_for_ledger(chaos_stack, len(accepted.settlements))
    rows = await query(chaos_stack, "adjudication", "SELECT setl_id FROM settlements WHERE kind = 'settlement'")
    in_adjudication = {row["setl_id"] for row in rows}
    events = await settlement_events(chaos_stack)
    per_setl = Counter(setl_id for _, setl_id in set(events))
    journal = await query(chaos_stack, "ledger", "SELECT entry_key FROM journal_entries WHERE kind = 'settlement'")
    expense = await query(chaos_stack, "ledger", "SELECT pool_id, sum(amount) AS fen FROM journal_lines "
                                                 "WHERE account LIKE 'expense:%' GROUP BY pool_id")
    income = await query(chaos_stack, "ledger", "SELECT coalesce(-sum(amount), 0) AS fen FROM journal_lines "
                                                "WHERE account = 'income:contribution:individual'")
    dead = {service: (await query(chaos_stack, service, "SELECT count(*) AS n FROM dead_letters"))[0]["n"]
            for service in SERVICES}

    expected_expense = {f"{ADMDVS}:{code}:{YEAR}": amount.fen for code, amount in accepted.fund_totals().items()
                        if amount.fen}
    print("\n--- fault suite ---")
    print("faults:", "; ".join(faults))
    print(f"people {PEOPLE}, outcome {dict(outcome)}, client errors {len(errors)}, retries {dict(api.retries)}")
    print(f"payments accepted {len(accepted.payments)} = {accepted.payment_total().to_yuan()} yuan; "
          f"ledger individual income {Money(int(income[0]['fen'])).to_yuan()}")
    print(f"settlements accepted {len(accepted.settlements)}, in adjudication {len(in_adjudication)}, "
          f"events on topic {len(events)} (redelivered copies {len(events) - len(set(events))}, "
          f"distinct setl_id {len(per_setl)}, distinct event ids "
          f"{len({e for e, _ in events})}), ledger journal entries {len(journal)} (waited: {booked})")
    print("expense per pool:", {r["pool_id"]: Money(int(r["fen"])).to_yuan() for r in expense},
          "expected:", {k: Money(v).to_yuan() for k, v in expected_expense.items()})
    print("dead letters:", dead, "refusals:", dict(accepted.refused))
    if uncovered:
        coverage = await query(chaos_stack, "enrollment", "SELECT * FROM coverage_periods WHERE psn_no = ANY($1)",
                               [p.psn_no for p in uncovered])
        print(f"never covered within {COVERAGE_WAIT:.0f}s: {[p.psn_no for p in uncovered]}; covered later: {late}; "
              f"enrollment coverage rows: {[dict(r) for r in coverage]}")

    assert not errors, f"cases without a definitive answer: {errors}"
    assert outcome["settled"] == PEOPLE * STAYS_PER_PERSON, outcome
    assert in_adjudication == set(accepted.settlements)
    assert [setl for setl, n in per_setl.items() if n != 1] == [], "a settlement with more than one event id"
    assert set(per_setl) == in_adjudication
    assert len({e for e, _ in events}) == len(set(events)), "an event id carrying two settlements"
    assert sorted(journal["entry_key"] for journal in journal) == sorted({e for e, _ in events})
    assert {r["pool_id"]: int(r["fen"]) for r in expense} == expected_expense
    assert int(income[0]["fen"]) == accepted.payment_total().fen
    assert dead == {service: 0 for service in SERVICES}
    assert kafka.running(CHAOS) is not None and postgres.running(CHAOS)
