"""Throughput of the collection feed against a running stack (dev ports by default).

``python -m medfund_billing.bench [--lines 1000000] [--url http://127.0.0.1:8002]`` generates a
CSV file on disk, streams it to ``POST /v1/collections/batches`` and polls the batch until done,
printing records per second for the upload and for the whole run. Not run in tests.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from medfund_billing.domain.payment_record import FIELDS
from medfund_shared.auth import issue_token
from medfund_shared.settings import load_settings

OFFICE = "TAXBENCH"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--url", default="http://127.0.0.1:8002")
    args = parser.parse_args()
    token = issue_token(load_settings("billing"), "tax", tax_office_code=OFFICE)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        generate(path, args.lines)
        with httpx.Client(base_url=args.url, timeout=600) as client:
            started = time.perf_counter()
            posted = client.post("/v1/collections/batches", content=_chunks(path), headers=headers)
            posted.raise_for_status()
            uploaded = time.perf_counter()
            batch = f"/v1/collections/batches/{posted.json()['batch_id']}"
            while (report := client.get(batch, headers=headers).json())["status"] != "done":
                time.sleep(1)
            finished = time.perf_counter()
    print(f"lines {args.lines}  accepted {report['accepted']}  duplicates {report['duplicates']}  "
          f"rejected {report['rejected_total']}")
    print(f"upload {args.lines / (uploaded - started):,.0f} records/s  "
          f"end to end {args.lines / (finished - started):,.0f} records/s  ({finished - started:.1f}s)")


if __name__ == "__main__":
    main()
