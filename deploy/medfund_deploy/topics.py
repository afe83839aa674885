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
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=REQUEST_TIMEOUT_MS)
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


VISIBLE_TIMEOUT_SECONDS = 120.0
"""How long a created topic may take to show every partition with a leader. A broker answers in well under a
second when idle; on two cores shared by a whole test session a metadata round trip alone took over 15 s."""
REQUEST_TIMEOUT_MS = 30_000
"""One admin request's timeout: a loaded broker is slow, not gone (a refused connection still fails at once)."""


async def _until_visible(admin: AIOKafkaAdminClient, names: list[str],
                         timeout: float = VISIBLE_TIMEOUT_SECONDS) -> None:
    """Wait until the broker's metadata lists every partition of every topic with a leader: creation is
    acknowledged before that, and a producer or consumer that comes earlier fails. A metadata request that
    times out or errors under load is asked again until the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pause, seen = 0.1, "no answer yet"
    while True:
        try:
            described = {topic["topic"]: topic for topic in await admin.describe_topics(names)}
            unready = [name for name in names if not _served(described.get(name))]
            if not unready:
                return
            seen = f"not yet served: {unready}"
        except (TimeoutError, KafkaError, OSError) as error:
            seen = f"metadata request failed: {error!r}"
        if loop.time() > deadline:
            raise KafkaError(f"topics {names} not visible in the broker's metadata after {timeout:.0f}s ({seen})")
        await asyncio.sleep(pause)
        pause = min(pause * 2, 2.0)


def _served(topic: dict | None) -> bool:
    """The topic exists without error and each of its partitions has a leader."""
    if topic is None or topic["error_code"] != 0 or len(topic["partitions"]) != PARTITIONS:
        return False
    return all(partition["error_code"] == 0 and partition["leader"] >= 0 for partition in topic["partitions"])


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
