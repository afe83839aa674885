"""Projection throughput: a synthetic insurance year of events on fresh topics, replayed into a fresh database.

``python -m medfund_ledger.projection_rate --events 20000`` (MEDFUND_DATABASE_URL and
MEDFUND_KAFKA_BOOTSTRAP say where) prints the events per second of the replay that
``medfund ledger rebuild`` runs; :func:`measure_replay` is what a benchmark calls.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import resource
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from medfund_ledger.adapters.handlers import TOPICS
from medfund_ledger.adapters.rebuild import replay_into
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.db import migrate_async, scratch_database
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.registry import lookup
from medfund_shared.events.types.billing import (
    AppropriationRecorded,
    ContributionOnBehalfPaid,
    ContributionOnBehalfWithdrawn,
    ContributionReceived,
    ContributionRefunded,
    ContributionReversed,
    EmployeeAccountCredited,
    EmployeeContributionDeclared,
    EmployeeContributionWithdrawn,
    SubsidyAllocated,
    SubsidyWithdrawn,
)
from medfund_shared.events.types.claims import InstitutionRegistered, SettlementCompleted, SettlementReversed
from medfund_shared.events.types.enrollment import CoverageActivated
from medfund_shared.events.types.ledger import BalanceBroughtForward, ClearingBooked, TransferBooked
from medfund_shared.kafka import ensure_topics
from medfund_shared.money import Money
from medfund_shared.schemes import RESIDENT_SCHEME
from medfund_shared.settings import Settings, load_settings

ADMDVS, EMPLOYEE_ADMDVS, YEAR = "500240", "321100", 2026
INSTITUTIONS = [f"H5002400{n:04d}" for n in range(1, 9)]
PREMIUM, ON_BEHALF = Money.from_yuan("400.00"), Money.from_yuan("180.00")
CATASTROPHIC_PER_PERSON, APPROPRIATION = Money.from_yuan("30.00"), Money.from_yuan("100.00")
BROUGHT_FORWARD = Money.from_yuan("250000.00")
SUBSIDY_SHARES = {"central": Money.from_yuan("402.00"), "county": Money.from_yuan("268.00")}
VISITS_PER_PERSON = 5


def synthetic_events(count: int) -> list[CloudEvent]:
    """``count`` events, mostly settlements, every money type the ledger books (the employee district's balance
    brought forward among them) and a few registry events."""
    events = [_envelope(InstitutionRegistered(fixmedins_code=code, name=code, admdvs=ADMDVS, level="secondary",
                                              annual_budget=Money.from_yuan("50000000.00")),
                        datetime(YEAR - 1, 9, 1, tzinfo=CHINA_TIME)) for code in INSTITUTIONS]
    events.append(_envelope(BalanceBroughtForward(pool_id=f"{EMPLOYEE_ADMDVS}:310100:{YEAR}", amount=BROUGHT_FORWARD,
                                                  effective_date=date(YEAR, 1, 1), voucher_no=f"JZ{YEAR - 1}-12"),
                            datetime(YEAR, 1, 1, tzinfo=CHINA_TIME)))
    people = itertools.count(1)
    while len(events) < count:
        events += _person_events(next(people))
    return events[:count]


def _person_events(n: int) -> Iterator[CloudEvent]:
    psn_no, certno = f"P{n:08d}", f"500240199001{n:06d}"
    paid = datetime(YEAR - 1, 10 + n % 3, 1 + n % 28, 10, tzinfo=CHINA_TIME)
    received = ContributionReceived(
        payment_id=f"PAY{n}", tax_voucher_no=f"TV{n}", certno=certno, psn_no=psn_no, admdvs=ADMDVS,
        insutype=RESIDENT_SCHEME, year=YEAR, amount=PREMIUM, channel="bank", tax_office_code="15002400000",
        paid_at=paid, match="full", premium_due=PREMIUM,
        paid_total=PREMIUM, shortfall=Money.zero(), credit=Money.zero())
    yield _envelope(received, paid)
    if n % 10 == 0:
        payer = "medical_assistance" if n % 20 == 0 else "government"
        yield _envelope(ContributionOnBehalfPaid(payment_id=f"OB{n}", psn_no=psn_no, admdvs=ADMDVS,
                                                 insutype=RESIDENT_SCHEME, year=YEAR, category="dibao",
                                                 amount=ON_BEHALF, paid_at=paid, payer=payer), paid)
    else:
        total = sum(SUBSIDY_SHARES.values(), Money.zero())
        yield _envelope(SubsidyAllocated(
            subsidy_id=f"SUB{n}", psn_no=psn_no, admdvs=ADMDVS, insutype=RESIDENT_SCHEME, year=YEAR, amount=total,
            shares=[{"level": level, "amount": share} for level, share in SUBSIDY_SHARES.items()],
            allocated_at=paid), paid)
    returned = paid + timedelta(days=3)
    correction = {"payment_id": received.payment_id, "tax_voucher_no": received.tax_voucher_no, "certno": certno,
                  "psn_no": psn_no, "admdvs": ADMDVS, "insutype": RESIDENT_SCHEME, "year": YEAR, "amount": PREMIUM}
    person_year = {"psn_no": psn_no, "admdvs": ADMDVS, "insutype": RESIDENT_SCHEME, "year": YEAR}
    if n % 50 == 0:
        yield _envelope(ContributionRefunded(**correction, refund_id=f"RF{n}", reason="duplicate",
                                             refunded_at=returned), returned)
        yield _envelope(ContributionOnBehalfWithdrawn(
            **person_year, withdrawal_id=f"RF{n}:OB{n}", payment_id=f"OB{n}", correction_id=f"RF{n}",
            category="dibao", amount=ON_BEHALF, payer="medical_assistance", withdrawn_at=returned), returned)
    elif n % 50 == 25:
        yield _envelope(ContributionReversed(**correction, reversal_id=f"RV{n}", reason="bank returned",
                                             reversed_at=returned), returned)
        yield _envelope(SubsidyWithdrawn(
            **person_year, withdrawal_id=f"RV{n}:subsidy", subsidy_id=f"SUB{n}", correction_id=f"RV{n}",
            amount=sum(SUBSIDY_SHARES.values(), Money.zero()), withdrawn_at=returned,
            shares=[{"level": level, "amount": share} for level, share in SUBSIDY_SHARES.items()]), returned)
    yield _envelope(CoverageActivated(
        psn_no=psn_no, certno=certno, admdvs=ADMDVS, insutype=RESIDENT_SCHEME, year=YEAR, category="adult",
        tier="tier2", coverage_from=f"{YEAR}-01-01", coverage_to=f"{YEAR}-12-31", brdy="1990-01-01", gend="1",
        psn_name="test", trigger="payment", pack_id=f"{ADMDVS}-390-{YEAR}-01-01"), paid)
    yield from _ledger_events(n, psn_no, paid)
    if n % 50 == 0:
        pooled, catastrophic = f"{ADMDVS}:390100:{YEAR}", f"{ADMDVS}:390200:{YEAR}"
        yield _envelope(TransferBooked(transfer_id=f"catastrophic:{ADMDVS}:{YEAR}:{psn_no}:returned:1",
                                       reason="catastrophic_returned", from_pool_id=catastrophic, to_pool_id=pooled,
                                       amount=CATASTROPHIC_PER_PERSON, effective_date=returned.date()), returned)
    for visit in range(VISITS_PER_PERSON):
        when = datetime(YEAR, 1 + (n + visit) % 12, 1 + (n * 7 + visit) % 28, 9 + visit, tzinfo=CHINA_TIME)
        settled = _settlement(n, visit, psn_no, when)
        yield _envelope(settled, when)
        if (n + visit) % 40 == 0:
            yield _envelope(_reversal(settled), when + timedelta(days=1))
    if n % 20 == 0:
        yield from _employee_events(n, psn_no, certno)


def _ledger_events(n: int, psn_no: str, paid: datetime) -> Iterator[CloudEvent]:
    """The catastrophic transfer the activation makes due; now and then an appropriation, an operator's transfer
    and a clearing."""
    pooled, catastrophic = f"{ADMDVS}:390100:{YEAR}", f"{ADMDVS}:390200:{YEAR}"
    yield _envelope(TransferBooked(transfer_id=f"catastrophic:{ADMDVS}:{YEAR}:{psn_no}",
                                   reason="catastrophic_financing", from_pool_id=pooled, to_pool_id=catastrophic,
                                   amount=CATASTROPHIC_PER_PERSON, effective_date=paid.date()), paid)
    if n % 100 == 50:
        yield _envelope(AppropriationRecorded(
            appropriation_id=f"AP{n}", admdvs=ADMDVS, fund_pay_type="610100", year=YEAR, amount=APPROPRIATION,
            received_at=paid, source="civil_affairs", voucher_no=f"V{n}"), paid)
        yield _envelope(TransferBooked(transfer_id=f"ops-{n}", reason="operator", from_pool_id=pooled,
                                       to_pool_id=catastrophic, amount=APPROPRIATION, effective_date=paid.date()), paid)
        code, period = INSTITUTIONS[n % len(INSTITUTIONS)], f"{YEAR}-{n // 100 % 12 + 1:02d}"
        yield _envelope(ClearingBooked(clearing_id=f"clearing:{code}:{period}", fixmedins_code=code, period=period,
                                       effective_date=paid.date(),
                                       pools=[{"pool_id": pooled, "amount": APPROPRIATION}]), paid)


def _settlement(n: int, visit: int, psn_no: str, when: datetime) -> SettlementCompleted:
    inpatient = visit == 0 and n % 4 == 0
    pooled = Money.from_yuan(f"{(6000 if inpatient else 60) + (n * 37 + visit * 11) % 400}.{n % 100:02d}")
    funds = [{"fund_pay_type": "390100", "fund_payamt": pooled}]
    if inpatient:
        funds.append({"fund_pay_type": "390200", "fund_payamt": pooled})
    paid = sum((f["fund_payamt"] for f in funds), Money.zero())
    return SettlementCompleted(
        setl_id=f"S{n}-{visit}", mdtrt_id=f"M{n}-{visit}", medins_setl_id=f"MS{n}-{visit}", psn_no=psn_no,
        fixmedins_code=INSTITUTIONS[(n + visit) % len(INSTITUTIONS)], admdvs=ADMDVS, insutype=RESIDENT_SCHEME,
        med_type="21" if inpatient else "11", year=YEAR, begntime=when, setl_time=when, medfee_sumamt=paid + paid,
        inscp_scp_amt=paid, act_pay_dedc=Money.zero(), hifp_pay=pooled, hifmi_pay=paid - pooled,
        maf_pay=Money.zero(), fund_pay_sumamt=paid, acct_pay=Money.zero(), psn_cash_pay=paid, funds=funds,
        pack_id=f"{ADMDVS}-390-{YEAR}-01-01", pack_version="1")


def _reversal(settled: SettlementCompleted) -> SettlementReversed:
    amounts = ("medfee_sumamt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "hifmi_pay", "maf_pay",
               "fund_pay_sumamt", "acct_pay", "psn_cash_pay")
    fields = settled.model_dump() | {name: -getattr(settled, name) for name in amounts}
    fields["funds"] = [{"fund_pay_type": f.fund_pay_type, "fund_payamt": -f.fund_payamt} for f in settled.funds]
    return SettlementReversed(**fields | {"setl_id": f"R{settled.setl_id}", "original_setl_id": settled.setl_id})


def _employee_events(n: int, psn_no: str, certno: str) -> Iterator[CloudEvent]:
    period, on = f"{YEAR}-{1 + n % 12:02d}", datetime(YEAR, 1 + n % 12, 1, tzinfo=CHINA_TIME)
    pool, account = Money.from_yuan("420.00"), Money.from_yuan("180.00")
    yield _envelope(EmployeeContributionDeclared(
        declaration_id=f"D{n}", employer_code="E001", admdvs=EMPLOYEE_ADMDVS, period=period, psn_no=psn_no,
        certno=certno, base=Money.from_yuan("6000.00"), employer_amount=pool, employee_amount=account,
        pool_amount=pool, account_amount=account, declared_at=on), on)
    yield _envelope(EmployeeAccountCredited(credit_id=f"AC{n}", psn_no=psn_no, admdvs=EMPLOYEE_ADMDVS, period=period,
                                            amount=Money.from_yuan("95.00"), source="retiree_pension",
                                            credited_at=on), on)
    if n % 100 == 0:
        back = on + timedelta(days=20)
        yield _envelope(EmployeeContributionWithdrawn(
            withdrawal_id=f"W{n}", declaration_id=f"D{n}", correction_id=f"R{n}", kind="refund",
            tax_voucher_no=f"FV{n}", admdvs=EMPLOYEE_ADMDVS, period=period, psn_no=psn_no, certno=certno,
            employee_amount=account, pool_amount=pool, account_amount=account, withdrawn_at=back,
            since=back.date()), back)


def _envelope(data: EventData, when: datetime) -> CloudEvent:
    return CloudEvent(source="medfund/projection-rate", type=data.event_type, subject=data.subject(), time=when,
                      effectivetime=when, partitionkey=data.partition_key(), data=data.model_dump(mode="json"))


@dataclass(frozen=True)
class ReplayRate:
    events: int
    seconds: float
    cpu_seconds: float
    """CPU time of this process (the ledger's side; PostgreSQL and Kafka work elsewhere), which a busy machine
    stretches less than the wall time."""

    @property
    def per_second(self) -> float:
        return self.events / self.seconds

    @property
    def cpu_ms_per_event(self) -> float:
        return self.cpu_seconds * 1000 / self.events

    def summary(self) -> str:
        return (f"replayed {self.events:,} events in {self.seconds:.1f} s: {self.per_second:,.0f} events/s; "
                f"{self.cpu_ms_per_event:.3f} ms of ledger CPU per event")


async def measure_replay(settings: Settings, events: int) -> ReplayRate:
    """Publish ``events`` synthetic events under a fresh topic prefix, then time their replay into a fresh
    database (made next to ``settings.database_url``); topics and database are dropped afterwards."""
    scratch = settings.model_copy(update={"topic_prefix": f"rate{secrets.token_hex(4)}."})
    name = f"medfund_ledger_rate_{secrets.token_hex(4)}"
    await ensure_topics(scratch, TOPICS)
    try:
        await _publish(scratch, synthetic_events(events))
        async with scratch_database(settings.database_url, name) as target:
            await migrate_async("medfund_ledger", target)
            began, cpu_began = time.perf_counter(), _cpu_with_children()
            applied = await replay_into(scratch, target)
            return ReplayRate(applied, time.perf_counter() - began, _cpu_with_children() - cpu_began)
    finally:
        await _delete_topics(scratch)


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its children that have exited (the replay's lanes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


async def _publish(settings: Settings, events: list[CloudEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all",
                                linger_ms=20)
    await producer.start()
    try:
        sent = []
        for event in events:
            key, value, headers = event.to_kafka()
            sent.append(await producer.send(settings.topic(lookup(event.type).topic), value, key=key, headers=headers))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def _delete_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([settings.topic(t) for t in TOPICS])
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--database-url", help="a ledger database on the server to use (default: MEDFUND_DATABASE_URL)")
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers (default: MEDFUND_KAFKA_BOOTSTRAP)")
    args = parser.parse_args()
    settings = load_settings("fund-ledger")
    overrides = {"database_url": args.database_url, "kafka_bootstrap": args.bootstrap}
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v})
    print(asyncio.run(measure_replay(settings, args.events)).summary())


if __name__ == "__main__":
    main()
