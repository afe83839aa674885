"""Two instances of every service on one Kafka and one PostgreSQL, the same requests sent to both, one instance of
each service SIGKILLed under load: every accepted request still has exactly one effect.

Each instance pair shares its service's database, consumer groups and outbox (one relay publishes at a time),
as two hosts behind a load balancer would. The client sends every write to both instances at once, the same
request with the same keys (the enrollment's ``Idempotency-Key``, the payment's tax voucher, the gateway's
``msgid``): what a client does when its first attempt timed out and the balancer sent the retry elsewhere.
Both must get the first answer. Afterwards every write is sent once more, to each instance in turn, and must get
the first answer again. One instance of each service is SIGKILLed while requests are in flight (the test fails
if a kill hit none) and restarted; the other instance keeps serving, and a call that fails turns to it.

Then the exactly-once equalities of :mod:`exactly_once`: settlements = settlement events (one id each) = ledger
journal entries; pool expense and contribution income = the independent sums of the accepted answers; no dead
letters.

A tax bureau's file (2,000 payments) sent to both billing instances at once is one batch, its lines counted once.
A tax bureau's file (2,000 payments) uploaded to a billing instance that is SIGKILLed while the batch is
processing is finished by the instances that remain or return, each line counted, stored and published once.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from exactly_once import Fault, FaultLog, assert_exactly_once, events_on, gather_evidence, query, restart
from medfund_bench.workload import ADMDVS, INSUTYPE, OFFICE, YEAR, Medfund, Unanswered, certno
from population import drive

from medfund_deploy import services
from medfund_deploy.chaos import ServiceSet
from medfund_deploy.profiles import SERVICES

pytestmark = pytest.mark.chaos

PEOPLE = 16
STAYS_PER_PERSON = 2
CONCURRENCY = 6
KILLED = {"enrollment": 1, "billing": 2, "adjudication": 1, "ledger": 2}
"""Which instance of each service is SIGKILLed: both instances' shares of the work get hit."""
FIRST_KILL, KILL_EVERY = 3.0, 2.0
QUERIES = {"1101"}
"""Gateway transactions that only read: sent to one instance, each in turn (their answers change with time)."""


@dataclass
class Write:
    """A write as sent, and the first answer to it."""

    service: str
    method: str
    path: str
    role: str
    body: dict
    headers: dict[str, str]
    answer: object


class BothInstances(Medfund):
    """The public APIs of two instances of every service: each write goes to both at once (the same request),
    each read to one; a failed attempt is retried on the other instance."""

    def __init__(self, stack: ServiceSet) -> None:
        super().__init__({service: stack.url(service) for service in SERVICES})
        self.addresses = {service: [stack.url(service, i) for i in stack.instances] for service in SERVICES}
        self.writes: list[Write] = []
        self.differing: list[tuple[str, object, object]] = []
        self._turn = itertools.count()

    def url_for(self, service: str, attempt: int) -> str:
        addresses = self.addresses[service]
        return addresses[attempt % len(addresses)]

    async def request(self, service: str, method: str, path: str, role: str, *, ok: tuple[int, ...],
                      headers: dict[str, str] | None = None, first_attempt: int | None = None,
                      **kwargs) -> httpx.Response:
        if method == "GET" or first_attempt is not None:
            return await super().request(service, method, path, role, ok=ok, headers=headers,
                                         first_attempt=first_attempt or 0, **kwargs)
        first, second = await asyncio.gather(*(
            super(BothInstances, self).request(service, method, path, role, ok=ok, headers=headers,
                                               first_attempt=instance, **kwargs)
            for instance in (0, 1)))
        self.compare(f"{service} {path}", answer(first), answer(second))
        self.writes.append(Write(service, method, path, role, kwargs["json"], headers or {}, answer(first)))
        return first

    async def send(self, envelope: dict, first_attempt: int | None = None) -> dict:
        if first_attempt is not None:
            return await super().send(envelope, first_attempt)
        if envelope["infno"] in QUERIES:
            return await super().send(envelope, next(self._turn))
        first, second = await asyncio.gather(super().send(envelope, 0), super().send(envelope, 1))
        self.compare(f"{envelope['infno']} {envelope['msgid']}", first, second)
        self.writes.append(Write("adjudication", "POST", "gateway", "his", envelope, {}, first))
        return first

    def compare(self, what: str, first: object, second: object) -> None:
        if first != second:
            self.differing.append((what, first, second))

    async def resend_all(self) -> list[tuple[str, object, object]]:
        """Every write once more, to each instance in turn: the answers that differ from the first."""
        differing = []
        for index, write in enumerate(self.writes):
            if write.path == "gateway":
                again = await super().send(write.body, index + 1)
            else:
                again = answer(await super().request(write.service, write.method, write.path, write.role, ok=(200, 201),
                                                     headers=write.headers, first_attempt=index + 1, json=write.body))
            if again != write.answer:
                differing.append((f"{write.service} {write.path}", write.answer, again))
        return differing


def answer(response: httpx.Response) -> object:
    """What an HTTP answer says: its body (a new payment is 201, its replay 200, with the same body)."""
    success = 200 <= response.status_code < 300
    return ("accepted" if success else response.status_code, json.loads(response.content or b"null"))


def schedule(stack: ServiceSet) -> list[Fault]:
    """One instance of each service SIGKILLed and restarted, one every ``KILL_EVERY`` seconds; each restart runs
    beside the next kill (the other instance serves meanwhile)."""
    return [Fault(FIRST_KILL + n * KILL_EVERY, f"SIGKILL {service} #{instance}",
                  lambda service=service, instance=instance: stack.sigkill(service, instance),
                  lambda service=service, instance=instance: restart(stack, service, instance))
            for n, (service, instance) in enumerate(KILLED.items())]


async def test_two_instances_answer_every_retry_with_the_first_answer_and_book_it_once(
        instance_pair: ServiceSet) -> None:
    started = time.monotonic()
    api = BothInstances(instance_pair)
    faults = FaultLog()
    try:
        await api.registry()
        run, _ = await asyncio.gather(drive(api, PEOPLE, STAYS_PER_PERSON, CONCURRENCY, seed=22),
                                      asyncio.to_thread(faults.run, api.in_flight, schedule(instance_pair)))
        late_differing = await api.resend_all()
    finally:
        await api.close()
    evidence = await gather_evidence(instance_pair, api.accepted)

    print("\n--- two instances of every service ---")
    print("faults:", "; ".join(faults.lines))
    errors = run.errors
    print(f"people {PEOPLE}, outcome {dict(run.outcome)}, client errors {errors}, retries {dict(api.retries)}")
    print(f"writes sent to both instances {len(api.writes)}, answered differently {len(api.differing)} "
          f"({Counter(what.split()[0] + ' ' + what.split()[1][:20] for what, _, _ in api.differing)}): "
          f"{api.differing[:5]}; resent later {len(api.writes)}, answered differently {len(late_differing)}: "
          f"{late_differing[:5]}")
    print(evidence.report(api.accepted), "refusals:", dict(api.accepted.refused))
    print(f"wall time {time.monotonic() - started:.0f}s")

    assert faults.missed() == [], "faults that hit no request in flight"
    assert not [e for e in errors if not isinstance(e, Unanswered)], errors
    assert not errors, f"cases without a definitive answer: {errors}"
    assert run.outcome["settled"] == PEOPLE * STAYS_PER_PERSON, run.outcome
    assert api.differing == [], "a write answered differently by the two instances"
    assert late_differing == [], "a retry not answered with the first answer"
    assert_exactly_once(evidence, api.accepted)
    assert [(service, i) for service in SERVICES for i in instance_pair.instances
            if not services.ready(instance_pair.profile, service, i)] == []


BATCH_LINES = 2000
BATCH_WAIT = 180.0
RECEIVED = "medfund.billing.contribution.received.v1"


def tax_file(tag: str) -> bytes:
    """A tax bureau's CSV file of ``BATCH_LINES`` payments, each of its own voucher and payer."""
    out = io.StringIO()
    writer = csv.DictWriter(out, list(TAX_LINE), lineterminator="\n")
    writer.writeheader()
    for n in range(BATCH_LINES):
        writer.writerow({**TAX_LINE, "tax_voucher_no": f"F{tag}{n:06d}",
                         "certno": certno(ADMDVS, date(1950, 1, 1) + timedelta(days=n), n)})
    return out.getvalue().encode()


TAX_LINE = {"tax_voucher_no": "", "certno": "", "psn_name": "批量缴费", "insutype": INSUTYPE, "admdvs": ADMDVS,
            "period_year": str(YEAR), "amount": "380.00", "paid_at": "2025-11-20T10:15:00+08:00",
            "tax_office_code": OFFICE, "channel": "bank_deduction"}


async def until_report(api: Medfund, batch_id: str, done: Callable[[dict], bool]) -> dict:
    """Poll the batch's report (from either instance) until ``done`` or ``BATCH_WAIT``; the last report."""
    deadline = time.monotonic() + BATCH_WAIT
    while True:
        report = (await api.request("billing", "GET", f"/v1/collections/batches/{batch_id}", "tax", ok=(200,))).json()
        if done(report) or time.monotonic() > deadline:
            return report
        await asyncio.sleep(0.2)


async def upload(api: BothInstances, addresses: list[str], tag: str) -> list[httpx.Response]:
    """The same tax file with the same ``Idempotency-Key`` to each of ``addresses`` at once."""
    body, headers = tax_file(tag), {"Content-Type": "text/csv", "Idempotency-Key": f"file-{tag}",
                                    "Authorization": f"Bearer {api.tokens['tax']}"}
    return await asyncio.gather(*(api.http.post(f"{address}/v1/collections/batches", content=body, headers=headers)
                                  for address in addresses))


async def paid_once(stack: ServiceSet, tag: str) -> tuple[set[str], list, list]:
    """The file's vouchers, their stored payments (voucher, copies) and their ``contribution.received`` events
    (polled until the outbox relay published one for every voucher, or ``BATCH_WAIT``)."""
    vouchers = {f"F{tag}{n:06d}" for n in range(BATCH_LINES)}
    stored = await query(stack, "billing", "SELECT tax_voucher_no, count(*) AS n FROM payments "
                                           "WHERE tax_voucher_no = ANY($1) GROUP BY tax_voucher_no", sorted(vouchers))
    deadline = time.monotonic() + BATCH_WAIT
    while True:
        events = [(event, voucher) for event, voucher in await events_on(stack, "medfund.billing.v1", RECEIVED,
                                                                          "tax_voucher_no") if voucher in vouchers]
        if {voucher for _, voucher in events} == vouchers or time.monotonic() > deadline:
            return vouchers, stored, events
        await asyncio.sleep(1)


def assert_paid_once(report: dict, vouchers: set[str], stored: list, events: list) -> None:
    assert report["status"] == "done"
    assert (report["received"], report["accepted"], report["duplicates"], report["rejected_total"]) == (
        BATCH_LINES, BATCH_LINES, 0, 0)
    assert {row["tax_voucher_no"] for row in stored} == vouchers and {row["n"] for row in stored} == {1}
    assert Counter(voucher for _, voucher in set(events)) == Counter(vouchers)


async def test_a_tax_file_sent_to_both_instances_at_once_is_processed_once(instance_pair: ServiceSet) -> None:
    """One file, one batch, one answer from both instances; its report counts each line once."""
    api = BothInstances(instance_pair)
    try:
        answers = await upload(api, api.addresses["billing"], api.tag)
        assert [a.status_code for a in answers] == [202, 202], [a.text for a in answers]
        report = await until_report(api, answers[0].json()["batch_id"], lambda report: report["status"] == "done")
    finally:
        await api.close()
    vouchers, stored, events = await paid_once(instance_pair, api.tag)
    print(f"\n--- one tax file to both billing instances ---\nanswers {[a.json() for a in answers]}; report "
          f"{report | {'rejected': report['rejected'][:3]}}; payments stored {len(stored)}, events {len(events)}")

    assert answers[0].json() == answers[1].json(), "one file, one batch, one answer"
    assert_paid_once(report, vouchers, stored, events)


async def test_a_tax_file_whose_instance_is_killed_while_processing_it_is_finished_once(
        instance_pair: ServiceSet) -> None:
    """A file uploaded to one billing instance, SIGKILLed while the batch is processing and restarted: the batch
    is finished (by either instance) and every line counted and paid once."""
    api = BothInstances(instance_pair)
    try:
        answers = await upload(api, api.addresses["billing"][:1], api.tag)
        assert answers[0].status_code == 202, answers[0].text
        batch_id = answers[0].json()["batch_id"]
        before = (await api.request("billing", "GET", f"/v1/collections/batches/{batch_id}", "tax", ok=(200,),
                                    first_attempt=1)).json()
        killed = instance_pair.sigkill("billing", 1)
        restart(instance_pair, "billing", 1)
        report = await until_report(api, batch_id, lambda report: report["status"] == "done")
    finally:
        await api.close()
    vouchers, stored, events = await paid_once(instance_pair, api.tag)
    print(f"\n--- a tax file's instance killed ---\nkilled pid {killed} at {before | {'rejected': '…'}}; report "
          f"{report | {'rejected': report['rejected'][:3]}}; payments stored {len(stored)}, events {len(events)}")

    assert before["status"] == "processing", "the kill came after the file was processed"
    assert_paid_once(report, vouchers, stored, events)
