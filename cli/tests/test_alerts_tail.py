"""``medfund alerts tail`` against the real broker: alert changes produced on a prefixed topic come out as lines."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.alerts import TOPIC, AlertChanged
from medfund_shared.kafka import ensure_topics
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
MEDFUND = str(Path(sys.executable).parent / "medfund")


@pytest.fixture
async def settings(test_stack) -> Settings:
    prefix = f"{test_stack.topic_prefix}{secrets.token_hex(3)}."
    settings = Settings(kafka_bootstrap=test_stack.kafka_bootstrap, topic_prefix=prefix)
    await ensure_topics(settings, [TOPIC])
    return settings


def alert(rule: str, subject: str, severity: str, state: str, measure: str, threshold: str) -> AlertChanged:
    return AlertChanged(alert_id=secrets.token_hex(8), rule=rule, subject_type="institution", subject_id=subject,
                        severity=severity, state=state, measure=measure, threshold=threshold,
                        message=f"{subject} has paid {measure} of its global budget",
                        evaluated_at=datetime(2026, 6, 30, 18, 0, tzinfo=CHINA_TIME), evidence=["e1"])


async def produce(settings: Settings, data: AlertChanged) -> None:
    event = CloudEvent(source="medfund/fund-ledger", type=data.event_type, subject=data.subject(),
                       time=datetime.now(UTC), effectivetime=data.evaluated_at,
                       partitionkey=data.partition_key(), data=data.model_dump(mode="json"))
    key, value, headers = event.to_kafka()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(settings.topic(TOPIC), value, key=key, headers=headers)
    finally:
        await producer.stop()


async def start_tail(settings: Settings, *options: str) -> asyncio.subprocess.Process:
    """The command as an operator runs it: the prefix from the environment, the broker as an option."""
    env = {**os.environ, "MEDFUND_TOPIC_PREFIX": settings.topic_prefix, "MEDFUND_KAFKA_BOOTSTRAP": "127.0.0.1:1"}
    return await asyncio.create_subprocess_exec(
        MEDFUND, "alerts", "tail", "--bootstrap", settings.kafka_bootstrap, *options, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_from_the_beginning_prints_an_alert_already_on_the_topic(settings):
    await produce(settings, alert("institution_budget", "H50024000004", "red", "firing", "1.0500", "1.00"))
    process = await start_tail(settings, "--from-beginning", "--seconds", "8")
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    lines = stdout.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].split() == ["2026-06-30T18:00:00+08:00", "institution_budget", "H50024000004", "red", "firing",
                                "1.0500", "/", "1.00", "H50024000004", "has", "paid", "1.0500", "of", "its", "global",
                                "budget"]
    assert "from the beginning" in stderr.decode()


async def test_live_it_prints_only_what_arrives_after_it_started(settings):
    await produce(settings, alert("burn_pace", "500240:390100:2026", "yellow", "firing", "0.0820", "0.05"))
    process = await start_tail(settings, "--seconds", "10")
    started = await asyncio.wait_for(process.stderr.readline(), 15)
    assert b"from the end" in started
    await produce(settings, alert("institution_budget", "H50024000004", "red", "resolved", "0.6000", "0.80"))
    printed = await asyncio.wait_for(process.stdout.readline(), 15)
    assert printed.decode().split()[1:8] == ["institution_budget", "H50024000004", "red", "resolved", "0.6000", "/",
                                             "0.80"]
    rest, _ = await asyncio.wait_for(process.communicate(), 20)
    assert rest == b"" and process.returncode == 0
