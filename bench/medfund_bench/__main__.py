"""``python -m medfund_bench`` (with ``bench`` on ``PYTHONPATH``): start the dev stack, measure, print the table.

Figures: ``2304`` settlement throughput at saturation and p50/p99 at a fixed 200/s, settlement-to-alert
latency during that fixed-rate run, ledger drain (settlement-to-balance lag and events/s), the collection
feed (upload until every event is published, records/s, billing's peak memory), the ledger's live
catch-up on the feed's events and its rebuild from the topics. Limits, measured in the same run: Kafka
produce/consume for messages of the settlement event's size (kafka-tools), PostgreSQL inserts in batches
(asyncpg executemany / COPY), uvicorn's trivial endpoint through the same load generator (vegeta). Targets are
those of the benchmark's issue. Requests of the timed runs are sent by vegeta; preparing the stays they
settle (enroll, pay, admit, upload fees, discharge) is done in Python beforehand and not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from medfund_bench import bars, cpu, event_size, limits, loadgen, scale, vegeta
from medfund_bench.alerts import LARGE_CLAIM_YELLOW, LARGE_STAY, AlertWatch
from medfund_bench.feed import FeedResult, run_feed
from medfund_bench.projection import Progress, Rebuild, timed_rebuild
from medfund_bench.simulation import replay_on_stack
from medfund_bench.workload import ADMDVS, OFFICE, YEAR, Medfund, answer_of, stay_amount
from medfund_deploy import stack
from medfund_deploy.profiles import SERVICES, get_profile
from medfund_ledger.adapters.handlers import TOPICS as LEDGER_TOPICS
from medfund_shared.auth import issue_token
from medfund_shared.money import Money
from medfund_shared.settings import Settings

PROFILE = get_profile("dev")
URLS = {service: f"http://127.0.0.1:{PROFILE.service_port(service)}" for service in SERVICES}
TRIVIAL_PORT = 8099
EVENT_SIZE_SAMPLE = 200
"""settlement.completed records read from the end of each claims partition to measure the events' size."""
POOLED_FUND = "390100"
"""The drain lag watches this pool's expenditure, so it waits for this fund's payments only: a person's later
stays also pay from the catastrophic fund, which never reaches the pooled fund's pool."""
ALERT_WAIT_SECONDS = 60.0
LEDGER_SETTLE_SECONDS = 300.0
WARMUP_PER_WORKER = 10
"""Settlements per in-flight request sent before the measured saturation run, in the same attack: the first
requests open HTTP and database connections and prepare statements (their figure is reported apart)."""
FIXED_OFFSET = 5000
"""First person (and stay, times 100) index of the fixed-rate run, past the saturation run's and the large claims'."""
TRIVIAL_REQUESTS = 10_000
SCALE_EVENTS = 10_000_000
"""Events ``--scale`` replays by default: a region's months of history, where seconds per million add up."""
SENT_HEADERS = ("Authorization", "Content-Type")
"""The headers of the workload's gateway request the service reads; vegeta sets the transport's own."""


@dataclass
class Row:
    figure: str
    ours: str
    target: str = ""
    limit: str = ""
    ratio: str = ""
    verdict: str = ""
    """``met`` / ``NOT met`` for a figure that has a bar (medfund_bench.bars)."""


async def prepare(api: Medfund, people: int, stays: int, concurrency: int, offset: int,
                  amount: Callable[[random.Random], Money] = stay_amount) -> list[tuple]:
    """Covered people and discharged stays ready for ``2304`` (not timed)."""
    began = time.perf_counter()
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
            cost = amount(rng)
            mdtrt_id, ends = await api.prepare_stay(p, offset * 100 + n, cost)
            return p, mdtrt_id, ends, cost, offset * 100 + n

    ready = await asyncio.gather(*(stay(n) for n in range(stays)))
    print(f"prepared: {stays} stays in {time.perf_counter() - began:.0f} s")
    return ready


@dataclass
class Settled:
    """A ``2304`` run: per stay in schedule order, vegeta's hit and the gateway's answer (``None``: no answer came)."""

    answers: list[dict | None]
    hits: list[vegeta.Hit | None]
    last_answer: float
    """Wall-clock time of the run's last answer."""

    def part(self, stays: slice) -> loadgen.Result:
        """The figure of some of the stays (e.g. all but a warm-up): their latencies (those of requests that got
        no answer included), and their rate from the first one's start to the last one's answer; a stay without a
        successful answer is a failed request."""
        hits = [hit for hit in self.hits[stays] if hit is not None]
        answers = self.answers[stays]
        ok = sum(1 for answer in answers if answer is not None and answer["infcode"] == 0)
        return vegeta.summary(hits, ok, requests=len(answers))


def settlement_targets(api: Medfund, ready: list[tuple]) -> tuple[list[vegeta.Target], list[str]]:
    """The ``2304`` request for each stay, byte for byte what ``Medfund.settle`` sends, and its msgid."""
    targets, msgids = [], []
    for stay in ready:
        envelope = api.settlement(*stay)
        request = api.gateway_request(envelope)
        targets.append(vegeta.Target(str(request.url), {name: request.headers[name] for name in SENT_HEADERS},
                                     request.content))
        msgids.append(envelope["msgid"])
    return targets, msgids


def answered_msgid(body: bytes) -> str | None:
    """The msgid a gateway answer refers to; ``None`` for a body that is no gateway answer."""
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return answer.get("inf_refmsgid") if isinstance(answer, dict) else None


async def settle(api: Medfund, ready: list[tuple],
                 attack: Callable[[list[vegeta.Target]], Awaitable[list[vegeta.Hit]]]) -> Settled:
    """``2304`` for every stay through vegeta; the answers are recorded in ``api.accepted`` as ``settle`` does."""
    targets, msgids = settlement_targets(api, ready)
    hits = await attack(targets)
    matched = vegeta.in_order(hits, msgids, answered_msgid)
    answers = [api.settled(answer_of(hit.body)) if hit is not None and hit.code == 200 and answered_msgid(hit.body)
               else None for hit in matched]
    errors = Counter(hit.error or f"HTTP {hit.code}" for hit in hits if hit.error or hit.code != 200)
    if errors:
        print("vegeta errors:", dict(errors))
    return Settled(answers, matched, max((hit.answered for hit in hits), default=time.time()))


def interleave(regular: list[tuple], injected: list[tuple]) -> tuple[list[tuple], frozenset[int]]:
    """``injected`` spread evenly through ``regular``; returns the schedule and the injected positions."""
    schedule, positions = list(regular), []
    for k, stay in enumerate(injected):
        position = (k + 1) * len(schedule) // (len(injected) + 1)
        schedule.insert(position, stay)
        positions.append(position)
    return schedule, frozenset(positions)


async def ledger_settled(before: str) -> None:
    """Let the ledger finish earlier work, so its figures (drain lag, alerts) are this run's; say when it cannot."""
    async with Progress(PROFILE) as progress:
        if not await progress.settled(LEDGER_TOPICS, LEDGER_SETTLE_SECONDS):
            print(f"the ledger has not caught up with earlier events in {LEDGER_SETTLE_SECONDS:.0f} s; "
                  f"its figures for {before} include that backlog")


async def expenditure(http: httpx.AsyncClient, api: Medfund) -> int:
    response = await http.get(f"{api.urls['ledger']}/v1/pools/{ADMDVS}:{POOLED_FUND}:{YEAR}",
                              headers={"Authorization": f"Bearer {api.tokens['admin']}"})
    return 0 if response.status_code == 404 else Money.from_yuan(response.json()["expenditure"]).fen


async def settlements(args, rows: list[Row], trivial_rate: float) -> limits.KafkaLimit:
    """The settlement figures; the Kafka limit is measured after the saturation run, for records of the size its
    settlement events measured on the claims topic, and returned."""
    api = Medfund(URLS, concurrency=args.concurrency * 2)
    try:
        await api.registry()
        warmup = args.concurrency * WARMUP_PER_WORKER
        stays = warmup + args.saturation
        ready = await prepare(api, min(stays, args.people or stays), stays, args.concurrency, offset=1000)
        await ledger_settled("the saturation run")
        async with httpx.AsyncClient(timeout=30) as http:
            before = await expenditure(http, api)
            stack_cpu = cpu.StackCpu(PROFILE)
            run = await settle(api, ready, lambda targets: vegeta.saturate(targets, args.concurrency))
            spent = stack_cpu.spent()
            result, cold = run.part(slice(warmup, None)), run.part(slice(0, warmup))
            target = before + api.accepted.fund_totals().get(POOLED_FUND, Money(0)).fen
            deadline = time.time() + 300
            while await expenditure(http, api) < target and time.time() < deadline:
                await asyncio.sleep(0.2)
            lag = time.time() - run.last_answer
        size = await event_size.settlement_event_bytes(PROFILE.kafka_bootstrap, EVENT_SIZE_SAMPLE)
        kafka = await asyncio.to_thread(limits.kafka_limit, PROFILE.kafka_bootstrap, args.kafka_records, round(size))
        kafka_consume = kafka.consume_rate
        rows.append(Row(f"2304 settlement at saturation ({args.concurrency} in flight, n={args.saturation} after "
                        f"{warmup} to warm up)",
                        f"{result.rate:.0f}/s", bars.SATURATION.text, f"{trivial_rate:.0f}/s trivial endpoint",
                        f"{result.rate / trivial_rate:.2f}",
                        bars.SATURATION.verdict(result.rate, also=result.failed == 0)))
        rows.append(Row("  p50 / p99 at saturation", f"{result.percentile(50):.0f} / {result.percentile(99):.0f} ms",
                        "", "", f"{result.ok} ok, {result.failed} failed"))
        parts, cores = cpu.per_operation(spent, len(ready)), os.cpu_count() or 1
        rows.append(Row("  CPU per settlement across the stack (whole attack, /proc), and the rate it allows",
                        f"{sum(ms for _, ms in parts):.2f} ms", "",
                        f"{cpu.ceiling(parts, cores):.0f}/s on {cores} cores",
                        cpu.breakdown(parts)))
        rows.append(Row(f"  the {warmup} warm-up settlements (cold connections and caches): rate, p50 / p99",
                        f"{cold.rate:.0f}/s, {cold.percentile(50):.0f} / {cold.percentile(99):.0f} ms", "", "",
                        f"{cold.ok} ok, {cold.failed} failed"))
        rows.append(Row("ledger: last settlement to balance (drain lag)", f"{lag:.2f} s"))
        projected = (len(ready) - warmup) / (result.seconds + lag)
        rows.append(Row(f"ledger: settlements projected per second (first request after the {warmup} warm-up ones "
                        f"to balance)", f"{projected:.0f} events/s", "",
                        f"{kafka_consume:.0f}/s Kafka consume", f"{projected / kafka_consume:.3f}"))
        await fixed_rate_with_alerts(args, rows, api)
        print("client retries:", dict(api.retries), "refusals:", dict(api.accepted.refused))
        return kafka
    finally:
        await api.close()


async def fixed_rate_with_alerts(args, rows: list[Row], api: Medfund) -> None:
    """The fixed-rate run, with large claims among its settlements and the alerts topic read meanwhile."""
    large = await prepare(api, args.large_claims, args.large_claims, args.concurrency, offset=3000,
                          amount=lambda _rng: LARGE_STAY)
    warmup = round(args.rate * args.warmup_seconds)
    stays = warmup + int(args.rate * args.seconds) - len(large)
    fixed = await prepare(api, min(stays, args.fixed_people or stays), stays, args.concurrency,
                          offset=FIXED_OFFSET)
    measured, injected = interleave(fixed[warmup:], large)
    schedule, injected = fixed[:warmup] + measured, frozenset(warmup + i for i in injected)
    await ledger_settled("the fixed-rate run")
    async with AlertWatch(PROFILE.kafka_bootstrap) as watch:
        run = await settle(api, schedule, lambda targets: vegeta.fixed_rate(targets, args.rate))
        answered = {answer["output"]["setlinfo"]["setl_id"]: run.hits[i].answered for i in sorted(injected)
                    if (answer := run.answers[i]) is not None and answer["infcode"] == 0}
        latencies = await watch.latencies(answered, ALERT_WAIT_SECONDS)
    result, cold = run.part(slice(warmup, None)), run.part(slice(0, warmup))
    p99 = result.percentile(99)
    rows.append(Row(f"2304 at fixed {args.rate:.0f}/s for {args.seconds}s after {args.warmup_seconds:g}s to warm up: "
                    f"p50 / p99", f"{result.percentile(50):.0f} / {p99:.0f} ms",
                    bars.P99_AT_FIXED_RATE.text, "", f"{result.ok} ok, {result.failed} failed",
                    bars.P99_AT_FIXED_RATE.verdict(p99, also=result.failed == 0)))
    measured_hits = [hit for hit in run.hits[warmup:] if hit is not None]
    each = ", ".join("-" if p is None else f"{p:.0f}" for p in vegeta.p99_each_second(measured_hits))
    rows.append(Row(f"  p99 of each second of it (ms): {each}", ""))
    rows.append(Row(f"  its first {args.warmup_seconds:g}s (cold connections and caches): p50 / p99",
                    f"{cold.percentile(50):.0f} / {cold.percentile(99):.0f} ms", "", "",
                    f"{cold.ok} ok, {cold.failed} failed"))
    above = sum(1 for setl_id in answered
                if sum(api.accepted.settlements[setl_id].values(), Money(0)) > LARGE_CLAIM_YELLOW)
    alerted = loadgen.Result(latencies=latencies)
    p50 = alerted.percentile(50) / 1000 if latencies else float("inf")
    ours = f"{p50:.2f} / {max(latencies):.2f} s" if latencies else "no alert"
    rows.append(Row(f"settlement-to-alert at {args.rate:.0f}/s (large_claim; {len(latencies)} alerts for "
                    f"{len(injected)} injected, {above} paid above {LARGE_CLAIM_YELLOW.to_yuan()}): p50 / max",
                    ours, bars.ALERT_P50.text, verdict=bars.ALERT_P50.verdict(p50, also=len(latencies) == above)))


def collection_feed(args) -> FeedResult:
    tax_token = issue_token(Settings(), "tax", tax_office_code=OFFICE)
    return asyncio.run(run_feed(PROFILE, URLS["billing"], tax_token, args.feed_lines, args.feed_timeout))


def ledger_rebuild(args, kafka_consume: float, live_caught_up: bool) -> list[Row]:
    return rebuild_rows(asyncio.run(timed_rebuild(PROFILE, args.rebuild_budget)), kafka_consume, live_caught_up)


async def ledger_caught_up() -> bool:
    async with Progress(PROFILE) as progress:
        return await progress.settled(LEDGER_TOPICS, LEDGER_SETTLE_SECONDS)


def rebuild_rows(rebuilt: Rebuild, kafka_consume: float, live_caught_up: bool) -> list[Row]:
    if rebuilt.comparison is None:
        what = f"{rebuilt.replayed:,} of {rebuilt.events:,} events replayed in the {rebuilt.seconds:.0f} s budget"
    else:
        print("rebuild:", rebuilt.comparison.summary())
        verdict = "EQUAL" if rebuilt.comparison.equal else "DIFFERENT"
        if not live_caught_up:
            verdict += " (the live ledger was still catching up)"
        what = f"{rebuilt.events:,} events replayed, {verdict} to the live ledger"
    equal = rebuilt.comparison is not None and rebuilt.comparison.equal
    per_million = 1e6 / rebuilt.rate
    return [
        Row(f"ledger rebuild time per million events (migrate, replay, compare): {what}", f"{per_million:.0f} s",
            bars.REBUILD_PER_MILLION.text, f"{kafka_consume:.0f}/s Kafka consume",
            f"{rebuilt.rate / kafka_consume:.3f}", bars.REBUILD_PER_MILLION.verdict(per_million, also=equal)),
        Row("  events per second", f"{rebuilt.rate:.0f} events/s"),
    ]


def feed_rows(feed: FeedResult, lines: int, copy_rate: float, kafka_consume: float) -> list[Row]:
    """The feed's wall time to published events, its records/s and memory, and the ledger's catch-up."""
    finished = feed.published is not None
    seconds = feed.published if finished else feed.samples[-1].seconds
    rate = lines / seconds
    bar = bars.feed_bar(lines)
    accepted = feed.status.get("accepted")
    last = feed.samples[-1]
    ledger = (f"{feed.events:,} feed events, stopped during the feed and started on them once published: caught up "
              f"{feed.caught_up - feed.ledger_started:.1f} s after its start" if feed.caught_up is not None
              else f"NOT caught up: {last.applied:,} of {last.published:,} applied")
    return [
        Row(f"collection feed, {lines:,}-line CSV: upload to events published "
            f"({'done' if finished else 'NOT finished'}, accepted {accepted}, "
            f"batch done at {feed.done or float('nan'):.1f} s)",
            f"{seconds:.1f} s", bar.text, f"{copy_rate:.0f} rows/s PG COPY", f"{rate / copy_rate:.3f}",
            bar.verdict(seconds, also=finished and accepted == lines)),
        Row("  records per second", f"{rate:.0f} records/s"),
        Row("  billing service peak RSS during the feed",
            f"{feed.peak_rss_kib / 1024:.0f} MiB", "bounded",
            f"before {feed.rss_before_kib / 1024:.0f} MiB, VmHWM {feed.hwm_after_kib / 1024:.0f} MiB"),
        *_cpu_row("  CPU per line across the stack (upload to published, /proc), and the rate it allows",
                  feed.feed_cpu, lines, "lines"),
        Row(f"ledger catch-up on a backlog ({ledger})", f"{feed.ledger_rate:.0f} events/s",
            bars.CATCH_UP.text, f"{kafka_consume:.0f}/s Kafka consume",
            f"{feed.ledger_rate / kafka_consume:.3f}",
            bars.CATCH_UP.verdict(feed.ledger_rate, also=feed.caught_up is not None)),
        *_cpu_row("  CPU per event across the stack (start to caught up, /proc), and the rate it allows",
                  feed.catch_up_cpu, feed.events, "events"),
    ]


def _cpu_row(figure: str, spent: dict[str, float], operations: int, what: str) -> list[Row]:
    """The CPU one operation cost each part, in µs, with the rate the machine's cores allow at that cost (none
    when the phase did not finish)."""
    if not spent or not operations:
        return []
    parts, cores = cpu.per_operation(spent, operations), os.cpu_count() or 1
    return [Row(figure, f"{sum(ms for _, ms in parts) * 1000:.0f} µs", "",
                f"{cpu.ceiling(parts, cores):.0f} {what}/s on {cores} cores", cpu.breakdown_us(parts))]


def scaled_rebuild_rows(events: int, kafka_records: int) -> list[Row]:
    rebuilt = asyncio.run(scale.scaled_rebuild(PROFILE, events))
    kafka = limits.kafka_limit(PROFILE.kafka_bootstrap, kafka_records, round(rebuilt.mean_event_bytes))
    return [
        Row(f"ledger rebuild at scale: {rebuilt.events:,} events replayed (migrate, replay; no live ledger to "
            f"compare)", f"{rebuilt.seconds:.0f} s", "", f"{kafka.consume_rate:.0f}/s Kafka consume",
            f"{rebuilt.rate / kafka.consume_rate:.3f}"),
        Row("  events per second", f"{rebuilt.rate:.0f} events/s"),
        Row("  rebuild time per million events", f"{1e6 / rebuilt.rate:.0f} s", bars.REBUILD_PER_MILLION.text,
            verdict=bars.REBUILD_PER_MILLION.verdict(1e6 / rebuilt.rate)),
        Row(f"limit: Kafka consume (ConsumerPerformance), {kafka.record_size} B (the history's mean event)",
            f"{kafka.consume_rate:.0f}/s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="medfund_bench")
    parser.add_argument("--people", type=int, default=None,
                        help="people the saturation run's stays are spread over (default: one stay each, like the "
                             "fixed-rate run: a region's settlements seldom meet on one person's yearly totals)")
    parser.add_argument("--saturation", type=int, default=2000, help="settlements in the saturation run")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--fixed-people", type=int, default=None,
                        help="people the fixed-rate run's stays are spread over (default: one stay each, as in a "
                             "region's traffic, where one person's settlements seldom meet). Settlements of one "
                             "person take its yearly totals' lock in turn: with 40 people at 200/s each settles 5 "
                             "times a second, and one stall longer than 200 ms queues that person's next ones "
                             "(docs/performance.md)")
    parser.add_argument("--warmup-seconds", type=float, default=2.0,
                        help="seconds at the fixed rate before the measured ones (reported apart)")
    parser.add_argument("--large-claims", type=int, default=10,
                        help="large settlements among the fixed-rate run's, each timed to its alert")
    parser.add_argument("--feed-lines", type=int, default=bars.FEED_LINES,
                        help="lines of the collection file (e.g. 20000 for a quick run)")
    parser.add_argument("--feed-timeout", type=float, default=1800.0)
    parser.add_argument("--rebuild-budget", type=float, default=900.0,
                        help="seconds the ledger rebuild may run; past them its rate is taken from what it replayed")
    parser.add_argument("--kafka-records", type=int, default=50_000)
    parser.add_argument("--simulation-settlements", type=int, default=bars.SIMULATION_SETTLEMENTS,
                        help="recorded settlements the simulation replay measurement replays")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--simulation-only", action="store_true",
                      help="only the simulation replay (on the dev stack), not the other figures")
    only.add_argument("--scale", type=int, nargs="?", const=SCALE_EVENTS, default=None, metavar="EVENTS",
                        help=f"only the ledger's rebuild of a history of EVENTS events ({SCALE_EVENTS:,} when none "
                             f"is given) copied from the one on its topics (run the full bench first)")
    only.add_argument("--settlement-only", action="store_true",
                      help="only the 2304 figures (saturation, CPU per part, p99 at the fixed rate) and their "
                           "uvicorn and Kafka limits, not the simulation replay nor the collection feed")
    only.add_argument("--feed-only", action="store_true",
                      help="only the collection feed (upload to published, records/s, billing's memory) and the "
                           "ledger's live catch-up on its events, with the PostgreSQL COPY and Kafka limits")
    only.add_argument("--ledger-only", action="store_true",
                      help="only the ledger's timed rebuild of the events on its topics, compared to the live "
                           "ledger (run the full bench or --feed-only first), with the Kafka consume limit")
    args = parser.parse_args()

    if args.scale is not None:
        stack.up(PROFILE)
        print_table(scaled_rebuild_rows(args.scale, args.kafka_records))
        return
    stack.up(PROFILE)
    if args.feed_only or args.ledger_only:
        print_table(feed_or_ledger_only(args))
        return
    rows: list[Row] = [] if args.settlement_only else [simulation_row(args.simulation_settlements)]
    if args.simulation_only:
        print_table(rows)
        return
    trivial = limits.uvicorn_limit(TRIVIAL_PORT, PROFILE.run_dir, TRIVIAL_REQUESTS, args.concurrency)
    kafka_limit = asyncio.run(settlements(args, rows, trivial.rate))
    rows += [
        Row("limit: uvicorn trivial endpoint (same load generator, vegeta)", f"{trivial.rate:.0f}/s", "",
            f"p50 {trivial.percentile(50):.0f} ms, p99 {trivial.percentile(99):.0f} ms"),
        Row(f"limit: Kafka produce, {kafka_limit.record_size} B (settlement.completed as measured), "
            f"acks=all idempotent",
            f"{kafka_limit.produce_rate:.0f}/s", "",
            f"p50 {kafka_limit.produce_p50_ms:.0f} ms, p99 {kafka_limit.produce_p99_ms:.0f} ms"),
        Row("limit: Kafka consume (ConsumerPerformance)", f"{kafka_limit.consume_rate:.0f}/s")]
    if args.settlement_only:
        print_table(rows)
        return
    pg = postgres_limit()
    feed = collection_feed(args)
    rows += feed_rows(feed, args.feed_lines, pg.copy_rate, kafka_limit.consume_rate)
    rows += ledger_rebuild(args, kafka_limit.consume_rate, feed.caught_up is not None) + [postgres_row(pg)]
    print_table(rows)


def postgres_limit() -> limits.PostgresLimit:
    return asyncio.run(limits.postgres_limit(PROFILE.database_url("postgres", "postgresql"), 50_000, 500))


def postgres_row(pg: limits.PostgresLimit) -> Row:
    return Row("limit: PostgreSQL insert, batches of 500, executemany / COPY",
               f"{pg.executemany_rate:.0f} / {pg.copy_rate:.0f} rows/s")


def feed_or_ledger_only(args) -> list[Row]:
    """``--feed-only`` or ``--ledger-only``: the Kafka limit is taken for records of the mean size of the last ones
    on the ledger's topics (the feed's, once it ran), since no settlement run measured one."""
    if args.feed_only:
        pg = postgres_limit()
        feed = collection_feed(args)
        kafka = kafka_limit_for_ledger_events(args.kafka_records)
        return (feed_rows(feed, args.feed_lines, pg.copy_rate, kafka.consume_rate)
                + [postgres_row(pg), kafka_consume_row(kafka)])
    caught_up = asyncio.run(ledger_caught_up())
    kafka = kafka_limit_for_ledger_events(args.kafka_records)
    return ledger_rebuild(args, kafka.consume_rate, caught_up) + [kafka_consume_row(kafka)]


def kafka_limit_for_ledger_events(records: int) -> limits.KafkaLimit:
    size = asyncio.run(event_size.mean_record_bytes(PROFILE.kafka_bootstrap, LEDGER_TOPICS, EVENT_SIZE_SAMPLE))
    return limits.kafka_limit(PROFILE.kafka_bootstrap, records, round(size))


def kafka_consume_row(kafka: limits.KafkaLimit) -> Row:
    return Row(f"limit: Kafka consume (ConsumerPerformance), {kafka.record_size} B (the ledger's events as measured)",
               f"{kafka.consume_rate:.0f}/s")


def simulation_row(settlements: int) -> Row:
    """Measured first, the stack up and idle (docs: medfund_bench.simulation)."""
    settings = Settings()
    f = asyncio.run(replay_on_stack(PROFILE, URLS["adjudication"], issue_token(settings, "operator"), settlements,
                                    settings.simulation_shards))
    loaded = ("reused" if f.loaded_seconds is None
              else f"COPY-loaded, vacuumed and checkpointed in {f.loaded_seconds:.0f} s")
    bar = bars.simulation_bar(settlements)
    return Row(f"simulation replay of {settlements:,} recorded settlements under a candidate pack, end to end: "
               f"POST /v1/simulations to the merged result written (worker, {f.shards} shard processes, PostgreSQL "
               f"streaming included; rows {loaded})",
               f"{f.seconds:.0f} s ({f.rate:.0f}/s)", bar.text,
               f"CPU: worker+shards {f.worker_cpu:.0f} s, PostgreSQL {f.postgres_cpu:.0f} s",
               verdict=bar.verdict(f.seconds))


def print_table(rows: list[Row]) -> None:
    """One table: each figure, its bar and whether it is met, the machine's limit and the ratio to it."""
    width = max(len(r.figure) for r in rows)
    ours = max(len(r.ours) for r in rows)
    target = max(len(r.target) for r in rows)
    verdict = max([len(r.verdict) for r in rows] + [len("verdict")])
    limit = max(len(r.limit) for r in rows)
    print(f"\n{'figure':<{width}}  {'ours':>{ours}}  {'bar':<{target}}  {'verdict':<{verdict}}  "
          f"{'limit':<{limit}}  ratio")
    for r in rows:
        print(f"{r.figure:<{width}}  {r.ours:>{ours}}  {r.target:<{target}}  {r.verdict:<{verdict}}  "
              f"{r.limit:<{limit}}  {r.ratio}")


if __name__ == "__main__":
    main()
