"""Admissions ready to settle, then 2304 at saturation (closed loop) and at a fixed rate (open loop)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from medfund_adjudication.bench.gateway import Gateway, succeeded
from medfund_adjudication.bench.population import Resident

FEES = (("X000000", "4.00", "10", "40.00"), ("X000001", "120.00", "2", "240.00"), ("X000002", "35.50", "1", "35.50"))
"""(code, pric, cnt, det_item_fee_sumamt) from the demo catalogue: class A with a price ceiling, B, C."""
TOTAL = f"{sum(Decimal(amount) for *_, amount in FEES):.2f}"


@dataclass(frozen=True)
class Pending:
    """An admission with its fees uploaded: the 2304 request body is built in advance."""

    body: bytes


async def prepare(gateway: Gateway, resident: Resident) -> Pending:
    admitted = succeeded(await gateway.call("2401", {"mdtrtinfo": {
        "psn_no": resident.psn_no, "insutype": "390", "med_type": "21", "begntime": "2026-03-01 09:00:00",
        "mdtrt_cert_type": "02", "mdtrt_cert_no": resident.certno, "ipt_no": "", "refl_flag": "0"}, "diseinfo": []}))
    mdtrt_id = admitted["result"]["mdtrt_id"]
    succeeded(await gateway.call("2301", {"feedetail": [
        {"feedetl_sn": str(n), "mdtrt_id": mdtrt_id, "psn_no": resident.psn_no, "med_list_codg": code,
         "det_item_fee_sumamt": amount, "cnt": cnt, "pric": pric, "fee_ocur_time": "2026-03-01 10:00:00"}
        for n, (code, pric, cnt, amount) in enumerate(FEES, 1)]}))
    succeeded(await gateway.call("2402", {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": resident.psn_no, "endtime": "2026-03-04 10:00:00", "dscg_way": "1"}}))
    return Pending(gateway.body("2304", {"data": {
        "psn_no": resident.psn_no, "mdtrt_id": mdtrt_id, "medfee_sumamt": TOTAL, "insutype": "390",
        "acct_used_flag": "0", "mid_setl_flag": "0", "psn_setlway": "01", "medins_setl_id": secrets.token_hex(10)}}))


async def settle(gateway: Gateway, pending: Pending) -> float:
    """Seconds from sending the 2304 to its successful answer."""
    started = time.perf_counter()
    succeeded(await gateway.send(pending.body))
    return time.perf_counter() - started


async def saturation(gateway: Gateway, pending: list[Pending], concurrency: int) -> tuple[float, list[float]]:
    """Closed loop: ``concurrency`` callers back to back; settlements per second and latencies."""
    queue = iter(pending)
    latencies: list[float] = []

    async def caller() -> None:
        for p in queue:
            latencies.append(await settle(gateway, p))
    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def fixed_rate(gateway: Gateway, pending: list[Pending], rate: float) -> list[float]:
    """Open loop: one 2304 every 1/rate s whatever the answers do; latency counted from the scheduled
    start, so a stall shows up in the figures instead of slowing the load down."""
    start = time.perf_counter() + 0.1

    async def one(n: int, p: Pending) -> float:
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        await settle(gateway, p)
        return time.perf_counter() - (start + n / rate)
    return list(await asyncio.gather(*(one(n, p) for n, p in enumerate(pending))))


def percentile(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
