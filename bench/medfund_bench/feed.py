"""The tax bureau's collection file, from upload until the fund ledger has booked every payment in it.

A batch is ``done`` when its last chunk committed; its events are then still rows in billing's outbox,
so the feed counts as finished only when the outbox has no unpublished row. Meanwhile one loop samples
billing's resident memory (the service must not hold the file), events published on the billing topic
and events the ledger applied from it.

The ledger is stopped for the upload and started again once every event of the file is on the topic, so its
catch-up is timed on a backlog (what "catch-up" means: a ledger behind by a million events, after a restart or
an outage) rather than following the feed at the feed's own pace, and each of the two has the two cores to itself.
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

from medfund_bench import cpu
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
    ledger_started: float | None = None
    """Seconds from the upload to the ledger being started again on the published backlog."""
    caught_up: float | None = None
    """Seconds from the upload to the ledger having applied every billing event published by then."""
    events: int = 0
    feed_cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds each part of the stack spent from the upload until the file's events were published."""
    catch_up_cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds each part spent from the ledger's start on the backlog until it caught up."""
    rss_before_kib: int = 0
    hwm_after_kib: int = 0
    samples: list[Sample] = field(default_factory=list)

    @property
    def peak_rss_kib(self) -> int:
        return max((s.rss_kib for s in self.samples), default=0)

    @property
    def ledger_rate(self) -> float:
        """The file's events ÷ seconds from starting the ledger on the backlog to its having applied the last one
        (its start-up included); up to the last sample when it did not catch up before the timeout."""
        if self.ledger_started is None or not self.samples:
            return float("nan")
        end = self.caught_up if self.caught_up is not None else self.samples[-1].seconds
        return self.samples[-1].applied / (end - self.ledger_started)


async def run_feed(profile: Profile, billing_url: str, tax_token: str, lines: int, timeout: float) -> FeedResult:
    body = feed_file(lines, seed=int(time.time()) % 100000)
    headers = {"Authorization": f"Bearer {tax_token}"}
    pid = services.running(profile, "billing")
    if pid is None:
        raise RuntimeError("the billing service of the dev stack is not running")
    result = FeedResult(lines)
    async with Progress(profile) as progress, httpx.AsyncClient(timeout=timeout) as http:
        await progress.settled([BILLING_TOPIC], SETTLE_SECONDS)
        services.stop_every_instance(profile, "ledger")
        try:
            base_published = await progress.published(BILLING_TOPIC)
            base_applied = await progress.applied(BILLING_TOPIC)
            result.rss_before_kib = memory_kib(pid)["VmRSS"]
            stack_cpu = cpu.StackCpu(profile)
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
                        result.feed_cpu = stack_cpu.spent()
                        result.events = await progress.published(BILLING_TOPIC) - base_published
                        stack_cpu = cpu.StackCpu(profile)
                        _start_ledger(profile)
                        result.ledger_started = time.perf_counter() - began
                elif applied >= result.events:
                    result.caught_up = now
                    result.catch_up_cpu = stack_cpu.spent()
                    break
                await asyncio.sleep(POLL_SECONDS)
            if not upload.done():
                upload.cancel()
        finally:
            if result.ledger_started is None:
                _start_ledger(profile)
        result.hwm_after_kib = memory_kib(pid)["VmHWM"]
    return result


def _start_ledger(profile: Profile) -> None:
    """The ledger as the stack runs it (``medfund_deploy.stack.up``), every instance."""
    for instance in range(1, profile.instances + 1):
        services.start_service(profile, "ledger", database_url=profile.database_url("medfund_ledger"),
                               instance=instance)
