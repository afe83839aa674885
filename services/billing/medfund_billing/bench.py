"""Throughput of the collection feed against a running billing service (dev ports by default).

``python -m medfund_billing.bench [--lines 1000000] [--url http://127.0.0.1:8002]
[--database-url postgresql://…/medfund_billing] [--server-pid PID]`` generates a CSV file on disk,
streams it to ``POST /v1/collections/batches``, polls the batch until done and, given the service's
database, until its outbox is published; it prints records per second for the upload, the batch and
the whole run, and, given the server's process id, its resident memory. Not run in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_billing.domain.payment_record import FIELDS
from medfund_shared.auth import issue_token
from medfund_shared.settings import load_settings

OFFICE = "TAXBENCH"
UNPUBLISHED = text("SELECT count(*) FROM outbox WHERE published_at IS NULL")


def generate(path: Path, lines: int) -> None:
    run = uuid.uuid4().hex[:8].upper()
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIELDS)
        for n in range(lines):
            writer.writerow([f"BENCH{run}{n:010d}", f"5002401990{n % 10**8:08d}", "测试", "390", "500240", "2026",
                             "140.00", "2025-11-20T10:15:00+08:00", OFFICE, "etax"])


def _chunks(path: Path):
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk


class Memory:
    """Resident set size of the server process, sampled whenever the bench polls."""

    def __init__(self, pid: int | None) -> None:
        self.pid, self.samples = pid, []

    def sample(self) -> None:
        if self.pid is not None:
            status = Path(f"/proc/{self.pid}/status").read_text()
            self.samples.append(next(int(line.split()[1]) // 1024 for line in status.splitlines()
                                     if line.startswith("VmRSS:")))

    def report(self) -> str:
        if not self.samples:
            return ""
        return f"server RSS MiB  before {self.samples[0]}  peak {max(self.samples)}  after {self.samples[-1]}"


async def _wait_published(database_url: str, memory: Memory) -> None:
    engine = create_async_engine(database_url)
    try:
        while True:
            async with engine.connect() as connection:
                if await connection.scalar(UNPUBLISHED) == 0:
                    return
            memory.sample()
            await asyncio.sleep(1)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--url", default="http://127.0.0.1:8002")
    parser.add_argument("--database-url", help="the service's database: also wait until its outbox is published")
    parser.add_argument("--server-pid", type=int, help="sample this process's resident memory")
    args = parser.parse_args()
    token = issue_token(load_settings("billing"), "tax", tax_office_code=OFFICE)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    memory = Memory(args.server_pid)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        generate(path, args.lines)
        memory.sample()
        with httpx.Client(base_url=args.url, timeout=600) as client:
            started = time.perf_counter()
            posted = client.post("/v1/collections/batches", content=_chunks(path), headers=headers)
            posted.raise_for_status()
            uploaded = time.perf_counter()
            batch = f"/v1/collections/batches/{posted.json()['batch_id']}?rejected_limit=1"
            while (report := client.get(batch, headers=headers).json())["status"] != "done":
                memory.sample()
                time.sleep(1)
    processed = time.perf_counter()
    if args.database_url:
        asyncio.run(_wait_published(args.database_url, memory))
    finished = time.perf_counter()
    memory.sample()
    print(f"lines {args.lines}  accepted {report['accepted']}  duplicates {report['duplicates']}  "
          f"rejected {report['rejected_total']}")
    print(f"upload {uploaded - started:.1f}s  batch done {processed - started:.1f}s  "
          f"{'events published' if args.database_url else 'end'} {finished - started:.1f}s  "
          f"{args.lines / (finished - started):,.0f} records/s end to end")
    print(memory.report())

if __name__ == "__main__":
    main()
