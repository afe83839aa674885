"""Command line: build the population, prepare admissions, measure 2304, print a table."""

from __future__ import annotations

import argparse
import asyncio
import random
import time

import httpx

from medfund_adjudication.bench import drive, population
from medfund_adjudication.bench.gateway import Gateway
from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

HOSPITAL = "H50024000003"
"""A secondary hospital of 500240 in the demo registry (billing needs a tiered region: see the report)."""


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m medfund_adjudication.bench", description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1")
    parser.add_argument("--first-port", type=int, default=8001, help="enrollment; billing, adjudication follow")
    parser.add_argument("--persons", type=int, default=200)
    parser.add_argument("--saturation-settlements", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--rate-seconds", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=None)
    return parser.parse_args()


async def _bounded(coroutines, limit: int = 32) -> list:
    gate = asyncio.Semaphore(limit)

    async def one(c):
        async with gate:
            return await c
    return list(await asyncio.gather(*(one(c) for c in coroutines)))


async def _population(args, settings: Settings, gateway: Gateway) -> list[population.Resident]:
    rng = random.Random(args.seed)
    staff = {"Authorization": f"Bearer {issue_token(settings, 'admin')}"}
    tax = {"Authorization": f"Bearer {issue_token(settings, 'tax', tax_office_code=population.TAX_OFFICE)}"}
    base = args.base_url
    async with httpx.AsyncClient(base_url=f"{base}:{args.first_port}", timeout=60) as enrollment, \
            httpx.AsyncClient(base_url=f"{base}:{args.first_port + 1}", timeout=60) as billing:
        residents: list[population.Resident] = []
        while len(residents) < args.persons:
            households = -(-(args.persons - len(residents)) // population.HOUSEHOLD)
            for found in await _bounded(population.enroll(enrollment, staff, rng) for _ in range(households)):
                residents += found
        residents = residents[:args.persons]
        await _bounded(population.pay(billing, tax, staff, r) for r in residents)
    await _bounded(population.covered(gateway, r) for r in residents)
    return residents


async def _prepared(gateway: Gateway, residents: list[population.Resident], count: int) -> list[drive.Pending]:
    return await _bounded(drive.prepare(gateway, residents[n % len(residents)]) for n in range(count))


def _row(name: str, count: int, seconds: float | None, latencies: list[float]) -> str:
    rate = f"{count / seconds:8.0f}" if seconds else " " * 8
    p50, p99 = (drive.percentile(latencies, q) * 1000 for q in (0.5, 0.99))
    return f"| {name:<28} | {count:6d} | {rate} | {p50:7.1f} | {p99:7.1f} | {max(latencies) * 1000:7.1f} |"


async def main() -> None:
    args = _arguments()
    settings = Settings()
    limits = httpx.Limits(max_connections=args.concurrency * 4, max_keepalive_connections=args.concurrency * 4)
    async with httpx.AsyncClient(base_url=f"{args.base_url}:{args.first_port + 2}", timeout=60,
                                 limits=limits) as client:
        gateway = Gateway(client, issue_token(settings, "his", fixmedins_code=HOSPITAL), HOSPITAL)
        started = time.perf_counter()
        residents = await _population(args, settings, gateway)
        print(f"{len(residents)} residents enrolled, paid and covered in {time.perf_counter() - started:.1f} s")
        warmup = await _prepared(gateway, residents, 200)
        await drive.saturation(gateway, warmup, args.concurrency)
        pending = await _prepared(gateway, residents, args.saturation_settlements)
        started = time.perf_counter()
        throughput, saturated = await drive.saturation(gateway, pending, args.concurrency)
        elapsed = time.perf_counter() - started
        paced = await _prepared(gateway, residents, int(args.rate * args.rate_seconds))
        fixed = await drive.fixed_rate(gateway, paced, args.rate)
    print("| 2304 settlement              |  count |  per s   | p50 ms  | p99 ms  | max ms  |")
    print("|------------------------------|--------|----------|---------|---------|---------|")
    print(_row(f"saturation, {args.concurrency} callers", len(saturated), elapsed, saturated))
    print(_row(f"fixed rate {args.rate:.0f}/s", len(fixed), None, fixed))
    print(f"saturation throughput: {throughput:.0f} settlements/s")


if __name__ == "__main__":
    asyncio.run(main())
