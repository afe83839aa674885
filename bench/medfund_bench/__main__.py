"""``python -m medfund_bench`` (with ``bench`` on ``PYTHONPATH``): start the dev stack, measure, print the table.

Figures: ``2304`` settlement throughput at saturation and p50/p99 at a fixed 200/s, ledger drain
(settlement-to-balance lag and events/s), collection-file records/s. Limits, measured in the same run:
Kafka produce/consume for messages of the settlement event's size (kafka-tools), PostgreSQL inserts in
batches (asyncpg executemany / COPY), uvicorn's trivial endpoint through the same load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import time
from dataclasses import dataclass
from datetime import date

import httpx

from medfund_bench import limits, loadgen
from medfund_bench.workload import ADMDVS, OFFICE, YEAR, Medfund, certno, stay_amount
from medfund_deploy import stack
from medfund_deploy.profiles import SERVICES, get_profile

PROFILE = get_profile("dev")
TRIVIAL_PORT = 8099
SETTLEMENT_EVENT_BYTES = 1100
"""Size of one settlement.completed event value plus headers, measured on the claims topic."""


@dataclass
class Row:
    figure: str
    ours: str
    limit: str = ""
    ratio: str = ""


async def prepare(api: Medfund, people: int, stays: int, concurrency: int, offset: int) -> list[tuple]:
    """Covered people and discharged stays ready for ``2304`` (not timed)."""
    gate = asyncio.Semaphore(concurrency)
    rng = random.Random(offset)

    async def person(i: int):
        async with gate:
            p = await api.enroll(api.person(offset + i))
            await api.pay(p, offset + i)
            return p

    enrolled = await asyncio.gather(*(person(i) for i in range(people)))
    persons = [p for p in enrolled if await api.covered(p, 60)]
    print(f"prepared: {len(persons)} of {people} people covered (a payment that beats its registration "
          f"to billing stays unmatched)")
    if not persons:
        raise RuntimeError("nobody became covered: the stack cannot settle")
    people = len(persons)

    async def stay(n: int):
        async with gate:
            p = persons[n % people]
            amount = stay_amount(rng)
            mdtrt_id, ends = await api.prepare_stay(p, offset * 100 + n, amount)
            return p, mdtrt_id, ends, amount, offset * 100 + n

    return await asyncio.gather(*(stay(n) for n in range(stays)))


def settle_sender(api: Medfund, ready: list[tuple]):
    async def send(i: int) -> bool:
        answer = await api.settle(*ready[i])
        return answer["infcode"] == 0
    return send


async def expenditure(http: httpx.AsyncClient, api: Medfund) -> int:
    response = await http.get(f"{api.urls['ledger']}/v1/pools/{ADMDVS}:390100:{YEAR}",
                              headers={"Authorization": f"Bearer {api.tokens['admin']}"})
    return 0 if response.status_code == 404 else round(float(response.json()["expenditure"]) * 100)


async def settlements(args, rows: list[Row], trivial_rate: float, kafka_consume: float) -> None:
    urls = {service: f"http://127.0.0.1:{PROFILE.service_port(service)}" for service in SERVICES}
    api = Medfund(urls, concurrency=args.concurrency * 2)
    try:
        await api.registry()
        ready = await prepare(api, args.people, args.saturation, args.concurrency, offset=1000)
        async with httpx.AsyncClient(timeout=30) as http:
            before = await expenditure(http, api)
            result = await loadgen.saturate(settle_sender(api, ready), len(ready), args.concurrency)
            settled_at = time.perf_counter()
            target = before + sum(f.fen for s in api.accepted.settlements.values() for f in s.values())
            deadline = settled_at + 300
            while await expenditure(http, api) < target and time.perf_counter() < deadline:
                await asyncio.sleep(0.2)
            lag = time.perf_counter() - settled_at
        rows.append(Row(f"2304 settlement at saturation ({args.concurrency} in flight, n={len(ready)})",
                        f"{result.rate:.0f}/s", f"{trivial_rate:.0f}/s trivial endpoint",
                        f"{result.rate / trivial_rate:.2f}"))
        rows.append(Row("  p50 / p99 at saturation", f"{result.percentile(50):.0f} / {result.percentile(99):.0f} ms"))
        rows.append(Row("ledger: last settlement to balance (drain lag)", f"{lag:.2f} s"))
        rows.append(Row("ledger: settlements projected per second (first request to balance)",
                        f"{len(ready) / (result.seconds + lag):.0f} events/s", f"{kafka_consume:.0f}/s Kafka consume",
                        f"{len(ready) / (result.seconds + lag) / kafka_consume:.3f}"))
        fixed = await prepare(api, args.people, int(args.rate * args.seconds), args.concurrency, offset=2000)
        result = await loadgen.fixed_rate(settle_sender(api, fixed), args.rate, len(fixed))
        rows.append(Row(f"2304 at fixed {args.rate:.0f}/s for {args.seconds}s: p50 / p99",
                        f"{result.percentile(50):.0f} / {result.percentile(99):.0f} ms",
                        "", f"{result.ok} ok, {result.failed} failed"))
        print("client retries:", dict(api.retries), "refusals:", dict(api.accepted.refused))
    finally:
        await api.close()


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


async def collection_feed(args, rows: list[Row], pg_rate: float) -> None:
    api = Medfund({service: f"http://127.0.0.1:{PROFILE.service_port(service)}" for service in SERVICES})
    body = feed_file(args.feed_lines, seed=int(time.time()) % 100000)
    headers = {"Authorization": f"Bearer {api.tokens['tax']}", "Content-Type": "text/csv"}
    try:
        async with httpx.AsyncClient(timeout=600) as http:
            began = time.perf_counter()
            response = await http.post(f"{api.urls['billing']}/v1/collections/batches", content=body, headers=headers)
            batch = response.json()["batch_id"]
            status: dict = {}
            deadline = began + args.feed_timeout
            while time.perf_counter() < deadline:
                status = (await http.get(f"{api.urls['billing']}/v1/collections/batches/{batch}",
                                         headers=headers)).json()
                if status.get("status") == "done":
                    break
                await asyncio.sleep(1)
            seconds = time.perf_counter() - began
    finally:
        await api.close()
    rate = args.feed_lines / seconds
    done = status.get("status") == "done"
    rows.append(Row(f"collection feed, {args.feed_lines:,}-line CSV ({'done' if done else 'NOT done'}, "
                    f"accepted {status.get('accepted')})", f"{rate:.0f} records/s",
                    f"{pg_rate:.0f} rows/s PG executemany", f"{rate / pg_rate:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(prog="medfund_bench")
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--saturation", type=int, default=400, help="settlements in the saturation run")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--feed-lines", type=int, default=1_000_000)
    parser.add_argument("--feed-timeout", type=float, default=1800.0)
    parser.add_argument("--kafka-records", type=int, default=50_000)
    args = parser.parse_args()

    stack.up(PROFILE)
    rows: list[Row] = []
    trivial = limits.uvicorn_limit(TRIVIAL_PORT, PROFILE.run_dir, 3000, args.concurrency)
    kafka_limit = limits.kafka_limit(PROFILE.kafka_bootstrap, args.kafka_records, SETTLEMENT_EVENT_BYTES)
    pg = asyncio.run(limits.postgres_limit(PROFILE.database_url("postgres", "postgresql"), 50_000, 500))
    asyncio.run(settlements(args, rows, trivial.rate, kafka_limit.consume_rate))
    asyncio.run(collection_feed(args, rows, pg.executemany_rate))
    rows += [
        Row("limit: uvicorn trivial endpoint (same load generator)", f"{trivial.rate:.0f}/s",
            f"p50 {trivial.percentile(50):.0f} ms, p99 {trivial.percentile(99):.0f} ms"),
        Row(f"limit: Kafka produce, {SETTLEMENT_EVENT_BYTES} B, acks=all idempotent",
            f"{kafka_limit.produce_rate:.0f}/s",
            f"p50 {kafka_limit.produce_p50_ms:.0f} ms, p99 {kafka_limit.produce_p99_ms:.0f} ms"),
        Row("limit: Kafka consume (ConsumerPerformance)", f"{kafka_limit.consume_rate:.0f}/s"),
        Row("limit: PostgreSQL insert, batches of 500, executemany / COPY",
            f"{pg.executemany_rate:.0f} / {pg.copy_rate:.0f} rows/s"),
    ]
    width = max(len(r.figure) for r in rows)
    print(f"\n{'figure':<{width}}  {'ours':>18}  {'limit':<34}  ratio")
    for r in rows:
        print(f"{r.figure:<{width}}  {r.ours:>18}  {r.limit:<34}  {r.ratio}")


if __name__ == "__main__":
    main()
