"""The machine's own limits for the work our figures do: Kafka produce/consume, PostgreSQL inserts, uvicorn.

Each is measured in the same run as our figures, on the same broker, server and load generator.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from medfund_bench import loadgen, vegeta
from medfund_deploy import procs
from medfund_deploy.kafka import _java, ensure_jars
from medfund_deploy.topics import PARTITIONS

PERF_TIMEOUT = 300


@dataclass
class KafkaLimit:
    produce_rate: float
    produce_p50_ms: float
    produce_p99_ms: float
    consume_rate: float
    record_size: int
    """Bytes of each record produced and consumed."""


async def _create_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)])
    finally:
        await admin.close()


async def _delete_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([name])
    finally:
        await admin.close()


def _tool(main_class: str, *args: str) -> str:
    result = subprocess.run([_java(), "-Xmx512m", "-cp", f"{ensure_jars()}/*", main_class, *args],
                            capture_output=True, text=True, timeout=PERF_TIMEOUT, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{main_class} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result.stdout


def kafka_limit(bootstrap: str, records: int, record_size: int) -> KafkaLimit:
    """kafka-tools ProducerPerformance (acks=all, idempotent, as our relay) then ConsumerPerformance."""
    topic = f"bench.limit.{secrets.token_hex(3)}"
    asyncio.run(_create_topic(bootstrap, topic))
    try:
        produced = _tool("org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
                         "--num-records", str(records), "--record-size", str(record_size), "--throughput", "-1",
                         "--producer-props", f"bootstrap.servers={bootstrap}", "acks=all", "enable.idempotence=true")
        summary = produced.strip().splitlines()[-1]
        rate = float(re.search(r"([\d.]+) records/sec", summary).group(1))
        p50 = float(re.search(r"(\d+) ms 50th", summary).group(1))
        p99 = float(re.search(r"(\d+) ms 99th", summary).group(1))
        consumed = _tool("org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", bootstrap,
                         "--topic", topic, "--messages", str(records), "--timeout", "60000")
        values = [v.strip() for v in consumed.strip().splitlines()[-1].split(",")]
        return KafkaLimit(rate, p50, p99, consume_rate=float(values[5]), record_size=record_size)
    finally:
        asyncio.run(_delete_topic(bootstrap, topic))


@dataclass
class PostgresLimit:
    executemany_rate: float
    copy_rate: float


async def postgres_limit(dsn: str, rows: int, batch: int) -> PostgresLimit:
    """Rows/s for journal-shaped inserts, one transaction per batch: executemany, then COPY."""
    conn = await asyncpg.connect(dsn)
    table = f"bench_limit_{secrets.token_hex(3)}"
    try:
        await conn.execute(f"CREATE TABLE {table} (event_id uuid PRIMARY KEY, pool_id text NOT NULL, "
                           "account text NOT NULL, amount_fen bigint NOT NULL, at timestamptz NOT NULL, "
                           "payload jsonb NOT NULL)")
        now = time.time()
        import datetime as dt
        import uuid

        stamp = dt.datetime.fromtimestamp(now, dt.UTC)
        data = [(uuid.uuid4(), "211302:390100:2026", "expenditure", 12345 + i, stamp,
                 f'{{"setl_id": "S{i:012d}", "fund_pay_type": "390100"}}') for i in range(rows)]
        began = time.perf_counter()
        for start in range(0, rows, batch):
            async with conn.transaction():
                await conn.executemany(f"INSERT INTO {table} VALUES ($1, $2, $3, $4, $5, $6)",
                                       data[start:start + batch])
        many = rows / (time.perf_counter() - began)
        await conn.execute(f"TRUNCATE {table}")
        began = time.perf_counter()
        for start in range(0, rows, batch):
            async with conn.transaction():
                await conn.copy_records_to_table(table, records=data[start:start + batch])
        copy = rows / (time.perf_counter() - began)
        return PostgresLimit(many, copy)
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()


def uvicorn_limit(port: int, state_dir: Path, requests: int, concurrency: int) -> loadgen.Result:
    """The trivial endpoint under one uvicorn worker, driven by the same load generator (vegeta) as our figures."""
    import sys

    uvicorn = Path(sys.executable).with_name("uvicorn")
    pid_file, log = state_dir / "trivial.pid", state_dir / "trivial.log"
    procs.spawn([str(uvicorn), "medfund_bench.trivial_app:create_app", "--factory", "--host", "127.0.0.1",
                 "--port", str(port), "--log-level", "warning", "--no-access-log"],
                log_file=log, pid_file=pid_file, env=_env_with_bench_path())
    try:
        procs.wait_until(lambda: procs.port_open(port), what="trivial uvicorn", log_file=log, timeout=30)
        return asyncio.run(_drive_trivial(port, requests, concurrency))
    finally:
        procs.stop(pid_file)


def _env_with_bench_path() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = f"{Path(__file__).resolve().parents[1]}:{env.get('PYTHONPATH', '')}"
    return env


async def _drive_trivial(port: int, requests: int, concurrency: int) -> loadgen.Result:
    body = {"infno": "2304", "input": {"data": {"psn_no": "P000000000001", "medfee_sumamt": "1234.56"}}}
    target = vegeta.Target(f"http://127.0.0.1:{port}/echo", {"Content-Type": "application/json"},
                           json.dumps(body).encode())
    await vegeta.saturate([target] * min(200, requests), concurrency)
    hits = await vegeta.saturate([target] * requests, concurrency)
    return vegeta.summary(hits, sum(1 for hit in hits if hit.code == 200))
