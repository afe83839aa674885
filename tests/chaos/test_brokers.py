"""A three-broker KRaft cluster loses a broker while settlements flow: nothing is lost, the stack keeps serving.

The launcher starts three Kafka nodes (each a broker and a voter of the controller quorum) and creates the topics
with replication factor 3 and ``min.insync.replicas`` 2; the outbox relays produce with ``acks=all``, so every
event a relay was told is written sits on two brokers at least. While a bounded population is settled through
the public APIs, the broker leading the first partition of the claims topic is SIGKILLed with requests in
flight; settlements keep being accepted while it is down; it is restarted and rejoins every partition's in-sync
replicas. Then the exactly-once equalities of :mod:`exactly_once`.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from exactly_once import FaultLog, assert_exactly_once, gather_evidence
from medfund_bench.workload import Medfund
from population import drive

from medfund_deploy import kafka
from medfund_deploy.chaos import ServiceSet, kill_broker, start_broker
from medfund_deploy.profiles import SERVICES
from medfund_deploy.topics import TOPICS

pytestmark = pytest.mark.chaos

PEOPLE = 12
STAYS_PER_PERSON = 3
CONCURRENCY = 6
SETTLED_BEFORE_KILL = 4
"""Settlements accepted before the broker is killed: the kill lands while settlements flow."""
KILL_WAIT = 180.0
"""Seconds the kill waits for settlements to flow."""
DOWN_FOR = 8.0
REJOIN_WAIT = 90.0


async def topic_state(stack: ServiceSet) -> dict[str, dict]:
    """Per topic of the set: each partition's (leader, replicas, in-sync replicas) and ``min.insync.replicas``."""
    names = [f"{stack.topic_prefix}{topic}" for topic in TOPICS]
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.profile.kafka_bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        described = await admin.describe_topics(names)
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, {"min.insync.replicas": None}) for name in names])
    finally:
        await admin.close()
    min_isr = {resource[3]: {entry[0]: entry[1] for entry in resource[4]}.get("min.insync.replicas")
               for response in configs for resource in response.resources}
    return {topic["topic"]: {"partitions": {p["partition"]: (p["leader"], nodes(p["replicas"]), nodes(p["isr"]))
                                            for p in topic["partitions"]},
                             "min.insync.replicas": min_isr.get(topic["topic"])} for topic in described}


def nodes(ids: list[int]) -> tuple[int, ...]:
    return tuple(sorted(ids))


async def until_rejoined(stack: ServiceSet, node: int) -> dict[str, dict]:
    """Poll until ``node`` is back in the in-sync replicas of every partition of the set's topics."""
    deadline = time.monotonic() + REJOIN_WAIT
    while True:
        state = await topic_state(stack)
        lagging = [(topic, p) for topic, info in state.items() for p, (_, _, isr) in info["partitions"].items()
                   if node not in isr]
        if not lagging or time.monotonic() > deadline:
            return state
        await asyncio.sleep(1)


def inject(stack: ServiceSet, api: Medfund, node: int, faults: FaultLog, outage: list[float]) -> None:
    """Once settlements flow, SIGKILL ``node`` with requests in flight; restart it ``DOWN_FOR`` seconds later."""
    deadline = time.monotonic() + KILL_WAIT
    while len(api.accepted.settlements) < SETTLED_BEFORE_KILL and time.monotonic() < deadline:
        time.sleep(0.05)
    faults.hit(f"SIGKILL Kafka node {node}", api.in_flight, lambda: kill_broker(stack.profile, node))
    outage.append(time.monotonic())
    time.sleep(DOWN_FOR)
    outage.append(time.monotonic())
    start_broker(stack.profile, node)
    faults.note(f"restarted Kafka node {node}")


async def test_losing_one_of_three_brokers_loses_nothing(broker_cluster: ServiceSet) -> None:
    started = time.monotonic()
    before = await topic_state(broker_cluster)
    victim = before[f"{broker_cluster.topic_prefix}medfund.claims.v1"]["partitions"][0][0]
    api = Medfund({service: broker_cluster.url(service) for service in SERVICES})
    faults = FaultLog()
    outage: list[float] = []
    try:
        await api.registry()
        run, _ = await asyncio.gather(drive(api, PEOPLE, STAYS_PER_PERSON, CONCURRENCY, seed=3),
                                      asyncio.to_thread(inject, broker_cluster, api, victim, faults, outage))
    finally:
        await api.close()
    after = await until_rejoined(broker_cluster, victim)
    evidence = await gather_evidence(broker_cluster, api.accepted)
    during = [at for at in run.settled_at if outage[0] <= at <= outage[1]]

    print("\n--- three brokers, one lost ---")
    print("faults:", "; ".join(faults.lines))
    print(f"people {PEOPLE}, outcome {dict(run.outcome)}, client errors {run.errors}, retries {dict(api.retries)}; "
          f"settlements answered while node {victim} was down: {len(during)}")
    print(evidence.report(api.accepted), "refusals:", dict(api.accepted.refused))
    print(f"wall time {time.monotonic() - started:.0f}s")

    assert {info["min.insync.replicas"] for info in before.values()} == {"2"}
    assert {replicas for info in before.values() for _, replicas, _ in info["partitions"].values()} == {(1, 2, 3)}
    assert faults.missed() == [], "the broker was killed with no request in flight"
    assert not run.errors, f"cases without a definitive answer: {run.errors}"
    assert run.outcome["settled"] == PEOPLE * STAYS_PER_PERSON, run.outcome
    assert during, f"no settlement was accepted while node {victim} was down"
    assert [(topic, p) for topic, info in after.items() for p, (_, _, isr) in info["partitions"].items()
            if isr != (1, 2, 3)] == [], "a partition whose in-sync replicas the restarted node did not rejoin"
    assert_exactly_once(evidence, api.accepted)
    assert all(kafka.running(broker_cluster.profile, node) is not None for node in (1, 2, 3))
