"""The tax bureau's collection file, from upload until the fund ledger has booked every payment in it.

A batch is ``done`` when its last chunk committed; its events are then still rows in billing's outbox,
so the feed counts as finished only when the outbox has no unpublished row. Meanwhile one loop samples
billing's resident memory (the service must not hold the file), events published on the billing topic
and events the ledger applied from it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from medfund_bench.projection import BILLING_TOPIC, POLL_SECONDS, Progress
from medfund_bench.workload import ADMDVS, OFFICE, YEAR, certno
from medfund_deploy import services
from medfund_deploy.profiles import Profile

SETTLE_SECONDS = 120.0
"""How long the ledger may take to finish the billing events of earlier phases before the upload."""


def feed_file(lines: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tax_voucher_no", "certno", "psn_name", "insutype", "admdvs", "period_year", "amount",
                     "paid_at", "tax_office_code", "channel"])
    for n in range(lines):
        birth = date(rng.randint(1940, 1999), rng.randint(1, 9), rng.randint(10, 19))
        writer.writerow([f"B{seed}{n:010d}", certno(ADMDVS, birth, n), "测试",
                         "390", ADMDVS, YEAR, "140.00", "2025-11-15T10:00:00+08:00", OFFICE, "bank_deduction"])
    return out.getvalue().encode()


def memory_kib(pid: int) -> dict[str, int]:
    """``VmRSS`` (now, summed) and ``VmHWM`` (the largest peak of one process) in KiB, of the service's process
    and its worker processes (``MEDFUND_BILLING_WORKERS`` above 1 makes uvicorn a supervisor of workers)."""
    rss = hwm = 0
    for process in _with_children(pid):
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{process}/status").read_text().splitlines()
                      if ":" in line)
        rss += int(fields["VmRSS"].split()[0])
        hwm = max(hwm, int(fields["VmHWM"].split()[0]))
    return {"VmRSS": rss, "VmHWM": hwm}


def _with_children(pid: int) -> list[int]:
    children = {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()}
    return [pid, *sorted(children)]


@dataclass
class Sample:
    seconds: float
    """Since the upload began."""
    rss_kib: int
    published: int
    """Events on the billing topic since the upload began."""
    applied: int
    """Of those, events the ledger has applied."""


@dataclass
class FeedResult:
    lines: int
    status: dict = field(default_factory=dict)
    done: float | None = None
    """Seconds from the upload to the batch's ``done``."""
    published: float | None = None
    """Seconds from the upload to billing's outbox having no unpublished row."""
    caught_up: float | None = None
    """Seconds from the upload to the ledger having applied every billing event published by then."""
    events: int = 0
    rss_before_kib: int = 0
    hwm_after_kib: int = 0
    samples: list[Sample] = field(default_factory=list)

    @property
    def peak_rss_kib(self) -> int:
        return max((s.rss_kib for s in self.samples), default=0)

    @property
    def ledger_rate(self) -> float:
        """Events the ledger applied ÷ seconds from the last sample before its first to the last sample
        (the one that found it caught up, or the last before the timeout)."""
        started = next((i for i, s in enumerate(self.samples) if s.applied > 0), None)
        if not started:
            return float("nan")
        last, before = self.samples[-1], self.samples[started - 1]
        return last.applied / (last.seconds - before.seconds)


async def run_feed(profile: Profile, billing_url: str, tax_token: str, lines: int, timeout: float) -> FeedResult:
    body = feed_file(lines, seed=int(time.time()) % 100000)
    headers = {"Authorization": f"Bearer {tax_token}"}
    pid = services.running(profile, "billing")
    if pid is None:
        raise RuntimeError("the billing service of the dev stack is not running")
    result = FeedResult(lines)
    async with Progress(profile) as progress, httpx.AsyncClient(timeout=timeout) as http:
        await progress.settled([BILLING_TOPIC], SETTLE_SECONDS)
        base_published, base_applied = await progress.published(BILLING_TOPIC), await progress.applied(BILLING_TOPIC)
        result.rss_before_kib = memory_kib(pid)["VmRSS"]
        began = time.perf_counter()
        upload = asyncio.create_task(http.post(f"{billing_url}/v1/collections/batches", content=body,
                                               headers={**headers, "Content-Type": "text/csv"}))
        while (now := time.perf_counter() - began) < timeout:
            published = await progress.published(BILLING_TOPIC) - base_published
            applied = await progress.applied(BILLING_TOPIC) - base_applied
            result.samples.append(Sample(now, memory_kib(pid)["VmRSS"], published, applied))
            if result.done is None:
                if upload.done():
                    batch = upload.result().json()["batch_id"]
                    result.status = (await http.get(f"{billing_url}/v1/collections/batches/{batch}",
                                                    headers=headers)).json()
                    if result.status.get("status") == "done":
                        result.done = now
            elif result.published is None:
                if await progress.billing_unpublished() == 0:
                    result.published = time.perf_counter() - began
                    result.events = await progress.published(BILLING_TOPIC) - base_published
            elif applied >= result.events:
                result.caught_up = now
                break
            await asyncio.sleep(POLL_SECONDS)
        if not upload.done():
            upload.cancel()
        result.hwm_after_kib = memory_kib(pid)["VmHWM"]
    return result
