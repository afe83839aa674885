"""The exactly-once evidence of a service set after faults, read from its databases and its topic.

Settlements in adjudication = settlement events on the claims topic (one event id per settlement) = ledger
journal entries; the pools' benefit expense per fund and the individual contribution income equal the sums of
what the client was told was accepted; no dead letters anywhere. Shared by the fault suites of ``tests/chaos``.

The outbox relay publishes at least once (architecture rule 2): a relay killed after Kafka acknowledged a batch
but before it marked the rows sent resends them, so the topic may carry a second copy of an event, with the
same id. Consumers apply it once (rule 3); the report says how many copies came.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from medfund_bench.workload import ADMDVS, YEAR, Accepted

from medfund_deploy.chaos import ServiceSet
from medfund_deploy.errors import StackError
from medfund_deploy.profiles import SERVICES
from medfund_shared.money import Money

SETTLED = "medfund.claims.settlement.completed.v1"
LEDGER_WAIT = 180.0
START_ATTEMPTS = 3
IN_FLIGHT_WAIT = 20.0
"""Seconds a fault waits for a request to be in flight before it fires (it fires anyway, and the test fails)."""


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def query(stack: ServiceSet, service: str, sql: str, *args: object) -> list:
    conn = await asyncpg.connect(dsn(stack.databases[service]))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def wait_for_ledger(stack: ServiceSet, expected: int) -> int:
    """Poll the ledger until it booked ``expected`` settlements or the deadline passed; the count booked."""
    conn = await asyncpg.connect(dsn(stack.databases["ledger"]))
    try:
        deadline = time.monotonic() + LEDGER_WAIT
        while True:
            booked = await conn.fetchval("SELECT count(*) FROM journal_entries WHERE kind = 'settlement'")
            if booked >= expected or time.monotonic() > deadline:
                return booked
            await asyncio.sleep(1)
    finally:
        await conn.close()


async def events_on(stack: ServiceSet, topic: str, event_type: str, key: str) -> list[tuple[str, str]]:
    """(event id, ``data[key]``) of each ``event_type`` event on the set's ``topic``, read committed, from the start."""
    topic = f"{stack.topic_prefix}{topic}"
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.profile.kafka_bootstrap, isolation_level="read_committed",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in consumer._client.cluster.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and [p for p in partitions if await consumer.position(p) < ends[p]]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    if headers.get("ce_type") == event_type:
                        found.append((headers["ce_id"], json.loads(record.value)[key]))
        return found
    finally:
        await consumer.stop()


async def settlement_events(stack: ServiceSet) -> list[tuple[str, str]]:
    """(event id, setl_id) of every settlement event on the claims topic."""
    return await events_on(stack, "medfund.claims.v1", SETTLED, "setl_id")


@dataclass
class Evidence:
    """What the service set holds once the ledger caught up with the accepted settlements."""

    in_adjudication: set[str]
    events: list[tuple[str, str]]
    journal: list[str]
    expense: dict[str, int]
    income: int
    dead: dict[str, int]
    booked: int

    @property
    def per_setl(self) -> Counter:
        """Distinct event ids per settlement id (a redelivered copy has the same event id)."""
        return Counter(setl_id for _, setl_id in set(self.events))

    def report(self, accepted: Accepted) -> str:
        return (f"settlements accepted {len(accepted.settlements)}, in adjudication {len(self.in_adjudication)}, "
                f"events on topic {len(self.events)} (redelivered copies {len(self.events) - len(set(self.events))}, "
                f"distinct setl_id {len(self.per_setl)}, distinct event ids {len({e for e, _ in self.events})}), "
                f"ledger journal entries {len(self.journal)} (waited: {self.booked}); "
                f"payments accepted {len(accepted.payments)} = {accepted.payment_total().to_yuan()} yuan, "
                f"ledger individual income {Money(self.income).to_yuan()}; "
                f"expense per pool {({k: Money(v).to_yuan() for k, v in self.expense.items()})}; "
                f"dead letters {self.dead}")


async def gather_evidence(stack: ServiceSet, accepted: Accepted) -> Evidence:
    booked = await wait_for_ledger(stack, len(accepted.settlements))
    rows = await query(stack, "adjudication", "SELECT setl_id FROM settlements WHERE kind = 'settlement'")
    journal = await query(stack, "ledger", "SELECT entry_key FROM journal_entries WHERE kind = 'settlement'")
    expense = await query(stack, "ledger", "SELECT pool_id, sum(amount) AS fen FROM journal_lines "
                                           "WHERE account LIKE 'expense:%' GROUP BY pool_id")
    income = await query(stack, "ledger", "SELECT coalesce(-sum(amount), 0) AS fen FROM journal_lines "
                                          "WHERE account = 'income:contribution:individual'")
    dead = {service: (await query(stack, service, "SELECT count(*) AS n FROM dead_letters"))[0]["n"]
            for service in SERVICES}
    return Evidence({row["setl_id"] for row in rows}, await settlement_events(stack),
                    [row["entry_key"] for row in journal], {r["pool_id"]: int(r["fen"]) for r in expense},
                    int(income[0]["fen"]), dead, booked)


def assert_exactly_once(evidence: Evidence, accepted: Accepted) -> None:
    """Every accepted settlement and payment took effect exactly once everywhere, and only they did."""
    events = evidence.events
    assert evidence.in_adjudication == set(accepted.settlements)
    assert [setl for setl, n in evidence.per_setl.items() if n != 1] == [], "a settlement with more than one event id"
    assert set(evidence.per_setl) == evidence.in_adjudication
    assert len({e for e, _ in events}) == len(set(events)), "an event id carrying two settlements"
    assert sorted(evidence.journal) == sorted({e for e, _ in events})
    expected_expense = {f"{ADMDVS}:{code}:{YEAR}": amount.fen for code, amount in accepted.fund_totals().items()
                        if amount.fen}
    assert evidence.expense == expected_expense
    assert evidence.income == accepted.payment_total().fen
    assert evidence.dead == {service: 0 for service in SERVICES}


def restart(stack: ServiceSet, service: str, instance: int = 1) -> None:
    """Start a killed instance again as a supervisor would: once more when its start-up fails (it migrates its
    database first, and the database may be restarting right then), up to ``START_ATTEMPTS`` times."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            stack.start(service, instance)
            return
        except StackError:
            if attempt == START_ATTEMPTS:
                raise
            time.sleep(1)


@dataclass(frozen=True)
class Fault:
    """What to do ``at`` seconds into the run, and how to recover from it (None: it recovers by itself)."""

    at: float
    name: str
    strike: Callable[[], object]
    recover: Callable[[], object] | None = None


@dataclass
class FaultLog:
    """The faults injected, each with the client requests in flight (sent, not yet answered) when it hit."""

    lines: list[str] = field(default_factory=list)
    in_flight: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def hit(self, fault: str, in_flight: Counter, action: Callable[[], object]) -> object:
        """Wait (bounded) until some request is in flight, then fire ``action`` and note what it hit.

        ``in_flight`` is the client's live counter, updated by the event loop's thread; it is read here, in the
        fault thread, the instant before the signal is sent."""
        deadline = time.monotonic() + IN_FLIGHT_WAIT
        while sum(in_flight.values()) == 0 and time.monotonic() < deadline:
            time.sleep(0.001)
        sampled = {service: n for service, n in list(in_flight.items()) if n}
        at = time.monotonic()
        result = action()
        self.in_flight.append((fault, sampled))
        self.note(f"{fault} ({sum(sampled.values())} requests in flight: {sampled})", at)
        return result

    def note(self, line: str, at: float | None = None) -> None:
        self.lines.append(f"{(at or time.monotonic()) - self.started:.1f}s {line}")

    def run(self, in_flight: Counter, schedule: list[Fault]) -> None:
        """Fire every fault of ``schedule`` at its time, each in a thread of its own that then recovers from it:
        the faults overlap the load (and one another) instead of queueing behind each other's recovery."""
        self.started = time.monotonic()

        def fire(fault: Fault) -> None:
            time.sleep(max(0.0, self.started + fault.at - time.monotonic()))
            self.hit(fault.name, in_flight, fault.strike)
            if fault.recover is not None:
                fault.recover()
                self.note(f"recovered from {fault.name}")

        with ThreadPoolExecutor(len(schedule)) as pool:
            for done in [pool.submit(fire, fault) for fault in schedule]:
                done.result()

    def missed(self) -> list[str]:
        """The faults that hit no request in flight."""
        return [fault for fault, sampled in self.in_flight if not sum(sampled.values())]
