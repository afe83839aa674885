"""The four event-log topics: several partitions each, kept forever (projections are rebuilt from them)."""

from __future__ import annotations

import asyncio
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

TOPICS = ("medfund.enrollment.v1", "medfund.billing.v1", "medfund.claims.v1", "medfund.alerts.v1")
PARTITIONS = 6
TOPIC_CONFIG = {"retention.ms": "-1", "retention.bytes": "-1"}
TOPIC_ALREADY_EXISTS = 36

logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


async def _admin(bootstrap: str) -> AIOKafkaAdminClient:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    return admin


async def create_topics_async(bootstrap: str, prefix: str = "", replication_factor: int = 1,
                              min_insync_replicas: int = 1) -> list[str]:
    """Create the four topics under ``prefix`` when missing (idempotent); return their names.

    On a cluster, ``replication_factor`` 3 with ``min_insync_replicas`` 2: a producer's ``acks=all`` write is on
    two brokers before it is acknowledged, so losing any one broker loses nothing and stops no writer."""
    names = [f"{prefix}{topic}" for topic in TOPICS]
    config = {**TOPIC_CONFIG, "min.insync.replicas": str(min_insync_replicas)}
    admin = await _admin(bootstrap)
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=PARTITIONS, replication_factor=replication_factor, topic_configs=config)
            for name in names
            if name not in existing
        ]
        if missing:
            response = await admin.create_topics(missing)
            failures = [
                f"{name}: {message or code}"
                for name, code, *rest in response.topic_errors
                for message in [rest[0] if rest else None]
                if code not in (0, TOPIC_ALREADY_EXISTS)
            ]
            if failures:
                raise KafkaError("creating topics failed: " + "; ".join(failures))
        await _until_visible(admin, names)
    finally:
        await admin.close()
    return names


async def _until_visible(admin: AIOKafkaAdminClient, names: list[str], timeout: float = 15.0) -> None:
    """Wait until the broker's metadata lists every partition: creation is acknowledged before that."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        described = await admin.describe_topics(names)
        if all(len(topic["partitions"]) == PARTITIONS for topic in described) and len(described) == len(names):
            return
        if loop.time() > deadline:
            raise KafkaError(f"topics {names} not visible in the broker's metadata after {timeout:.0f}s")
        await asyncio.sleep(0.1)


def create_topics(bootstrap: str, prefix: str = "", replication_factor: int = 1,
                  min_insync_replicas: int = 1) -> list[str]:
    """Synchronous :func:`create_topics_async`, for the launcher and session fixtures."""
    return asyncio.run(create_topics_async(bootstrap, prefix, replication_factor, min_insync_replicas))


async def describe_async(bootstrap: str, names: list[str]) -> dict[str, dict]:
    """Partition count and retention of each topic, as the broker reports them."""
    admin = await _admin(bootstrap)
    try:
        metadata = {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics(names)}
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, {"retention.ms": None}) for name in names]
        )
    finally:
        await admin.close()
    retention = {}
    for response in responses:
        for resource in response.resources:
            name, entries = resource[3], resource[4]
            retention[name] = {entry[0]: entry[1] for entry in entries}.get("retention.ms")
    return {name: {"partitions": metadata.get(name, 0), "retention.ms": retention.get(name)} for name in names}


def describe(bootstrap: str, names: list[str]) -> dict[str, dict]:
    return asyncio.run(describe_async(bootstrap, names))


def broker_answers(bootstrap: str) -> bool:
    """True when the broker serves metadata (it is up and has joined its own quorum)."""

    async def probe() -> bool:
        try:
            admin = await _admin(bootstrap)
        except KafkaError:
            return False
        try:
            await admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            await admin.close()

    return asyncio.run(probe())


async def delete_topics_async(bootstrap: str, names: list[str]) -> None:
    admin = await _admin(bootstrap)
    try:
        existing = set(await admin.list_topics())
        doomed = [name for name in names if name in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def delete_topics(bootstrap: str, names: list[str]) -> None:
    """Remove a test session's topics so the test broker does not collect them forever."""
    asyncio.run(delete_topics_async(bootstrap, names))
