"""The launcher against the real Kafka and PostgreSQL: up, idempotent up, restarts, down, up again."""

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from medfund_deploy import kafka, postgres, stack
from medfund_deploy.chaos import LAUNCHER
from medfund_deploy.profiles import Profile
from medfund_deploy.pytest_plugin import TestStack
from medfund_deploy.topics import PARTITIONS, TOPICS, describe

sys.path.insert(0, str(Path(__file__).parent))
from process_checks import ends_soon  # noqa: E402

pytestmark = pytest.mark.integration


def _value(profile: Profile, database: str, sql: str = "SELECT 1"):
    async def query():
        connection = await asyncpg.connect(profile.database_url(database, driver="postgresql"))
        try:
            return await connection.fetchval(sql)
        finally:
            await connection.close()

    return asyncio.run(query())


def _processes_mentioning(path: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(path).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _postmaster_pid(profile: Profile) -> int:
    return int((profile.state_dir / "postgres" / "data" / "postmaster.pid").read_text().split()[0])


@pytest.fixture
def scratch() -> Iterator[Profile]:
    try:
        yield LAUNCHER
    finally:
        stack.down(LAUNCHER, say=lambda _: None)


def test_session_stack_serves_its_topics_and_database(test_stack: TestStack) -> None:
    names = [f"{test_stack.topic_prefix}{topic}" for topic in TOPICS]

    described = describe(test_stack.kafka_bootstrap, names)

    assert described == {name: {"partitions": PARTITIONS, "retention.ms": "-1"} for name in names}
    assert _value(test_stack.profile, "postgres") == 1
    assert {name: _value(test_stack.profile, "postgres", f"SHOW {name}") for name in postgres.START_SETTINGS} \
        == postgres.START_SETTINGS
    broker = Path(f"/proc/{kafka.running(test_stack.profile)}/cmdline").read_bytes().decode().split("\0")
    assert set(kafka.JVM_OPTIONS) <= set(broker)


def test_up_is_idempotent_and_down_leaves_nothing_running(scratch: Profile) -> None:
    first: list[str] = []
    stack.up(scratch, infra_only=True, say=first.append)
    again: list[str] = []
    stack.up(scratch, infra_only=True, say=again.append)

    assert any(line.startswith("Kafka") and line.endswith("started") for line in first)
    assert [line for line in again if "reused" in line] == [
        f"Kafka {scratch.kafka_bootstrap}: already running, reused",
        f"PostgreSQL 127.0.0.1:{scratch.postgres_port}: already running, reused",
    ]
    assert describe(scratch.kafka_bootstrap, list(TOPICS))["medfund.claims.v1"] == {
        "partitions": PARTITIONS, "retention.ms": "-1"}
    assert _value(scratch, "medfund_ledger") == 1

    ours = [kafka.running(scratch), _postmaster_pid(scratch)]
    stack.down(scratch, say=lambda _: None)

    assert all(ends_soon(pid) for pid in ours)
    assert _processes_mentioning(scratch.state_dir) == []
    assert [row.state for row in stack.status(scratch)] == ["stopped"] * 6

    stack.up(scratch, infra_only=True, say=lambda _: None)
    assert _value(scratch, "medfund_enrollment") == 1
    assert set(TOPICS) <= set(describe(scratch.kafka_bootstrap, list(TOPICS)))


def test_restarts_keep_topics_and_data(scratch: Profile) -> None:
    stack.up(scratch, infra_only=True, say=lambda _: None)

    kafka.restart_kafka(scratch)
    postgres.restart_postgres(scratch)

    assert describe(scratch.kafka_bootstrap, ["medfund.alerts.v1"])["medfund.alerts.v1"]["partitions"] == PARTITIONS
    assert _value(scratch, "medfund_billing") == 1
