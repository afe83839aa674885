"""`medfund ledger rebuild` against the test stack: a live ledger fed by its real consumer, then replayed."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import datetime

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from typer.testing import CliRunner

from medfund_cli.main import app
from medfund_deploy.evidence import wait_until
from medfund_deploy.pytest_plugin import off_loop
from medfund_ledger.adapters.handlers import BATCH_HANDLER, HANDLERS, TOPICS
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.consumer import ConsumerRunner
from medfund_shared.db import create_engine, create_session_factory, database_url_for, drop_database
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.billing import ContributionReceived
from medfund_shared.events.types.claims import InstitutionRegistered, SettlementCompleted
from medfund_shared.kafka import ensure_topics
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
PAID, SETTLED = datetime(2026, 2, 1, 10, tzinfo=CHINA_TIME), datetime(2026, 3, 5, 15, tzinfo=CHINA_TIME)
POOL = "500240:390100:2026"


def ledger_events() -> list[tuple[EventData, datetime]]:
    contribution = ContributionReceived(
        payment_id="PAY1", tax_voucher_no="TV1", certno="500240199001010011", psn_no="P1", admdvs="500240",
        insutype="390", year=2026, amount="400.00", channel="bank", tax_office_code="TAX500240", paid_at=PAID,
        match="full", premium_due="400.00", paid_total="400.00", shortfall="0", credit="0")
    hospital = InstitutionRegistered(fixmedins_code="H1", name="hospital H1", admdvs="500240", level="secondary",
                                     annual_budget="1000000.00")
    settlement = SettlementCompleted(
        setl_id="SETL1", mdtrt_id="MD1", medins_setl_id="MS1", psn_no="P1", fixmedins_code="H1", admdvs="500240",
        insutype="390", med_type="21", year=2026, begntime=SETTLED, setl_time=SETTLED, medfee_sumamt="1000.00",
        inscp_scp_amt="900.00", act_pay_dedc="100.00", hifp_pay="560.00", hifmi_pay="0", maf_pay="0",
        fund_pay_sumamt="560.00", acct_pay="0", psn_cash_pay="440.00",
        funds=[{"fund_pay_type": "390100", "fund_payamt": "560.00"}], pack_id="500240-390-2026-01-01",
        pack_version="1")
    return [(contribution, PAID), (hospital, PAID), (settlement, SETTLED)]


async def publish(settings: Settings, events: list[tuple[EventData, datetime]]) -> list[CloudEvent]:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    sent = []
    try:
        for data, when in events:
            event = CloudEvent(source="medfund/test", type=data.event_type, subject=data.subject(), time=when,
                               effectivetime=when, partitionkey=data.partition_key(),
                               data=data.model_dump(mode="json"))
            key, value, headers = event.to_kafka()
            await producer.send_and_wait(settings.topic(data.topic), value, key=key, headers=headers)
            sent.append(event)
    finally:
        await producer.stop()
    return sent


async def scalar(url: str, sql: str):
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.begin() as conn:
            return await conn.scalar(text(sql))
    finally:
        await engine.dispose()


async def execute(url: str, *statements: str) -> None:
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def consume_until_applied(settings: Settings, count: int) -> None:
    """The service's own consumer (its own group) projects the events into the live database."""
    engine = create_engine(settings)
    runner = ConsumerRunner(f"fund-ledger-{secrets.token_hex(3)}", TOPICS, HANDLERS, create_session_factory(engine),
                            settings, batch_handler=BATCH_HANDLER)
    task = asyncio.create_task(runner.run())

    async def applied() -> bool:
        return await scalar(settings.database_url, "SELECT count(*) FROM processed_events") >= count

    try:
        await wait_until(applied, f"the consumer to apply {count} events")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await engine.dispose()


@pytest.fixture
async def live_ledger(test_stack, service_database):
    settings = Settings(database_url=service_database("medfund_ledger"), kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="fund-ledger")
    await ensure_topics(settings, set(TOPICS))
    sent = await publish(settings, ledger_events())
    await consume_until_applied(settings, len(sent))
    return settings, sent


def rebuild(settings: Settings, *options: str, database_in_env: bool = True):
    """``medfund ledger rebuild`` with the stack's settings in the environment (as an operator runs it)."""
    env = {"MEDFUND_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "MEDFUND_TOPIC_PREFIX": settings.topic_prefix,
           "MEDFUND_DATABASE_URL": settings.database_url if database_in_env else None}
    return off_loop(CliRunner().invoke, app, ["ledger", "rebuild", *options], None, env)


async def test_rebuild_of_an_untouched_ledger_replays_the_same_journal_and_exits_0(live_ledger):
    settings, _sent = live_ledger
    result = rebuild(settings, "--keep")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("EQUAL: live 2 entries, rebuilt 2; missing 0, extra 0, different 0, "
                                             "balance differences 0")
    kept = re.search(r"kept the rebuilt database (medfund_ledger_rebuild_[0-9a-f]+)$", result.stdout.strip())
    assert kept, result.stdout
    rebuilt_url = database_url_for(settings.database_url, kept.group(1))
    try:
        assert await scalar(rebuilt_url, "SELECT count(*) FROM journal_entries") == 2
        assert await scalar(rebuilt_url, f"SELECT amount FROM account_balances WHERE pool_id = '{POOL}' "
                                         "AND account = 'payable:H1'") == -56000
    finally:
        await drop_database(settings.database_url, kept.group(1))


async def test_rebuild_names_what_the_live_projection_lost_or_changed_and_exits_1(live_ledger):
    settings, sent = live_ledger
    contribution_id = sent[0].id
    await execute(settings.database_url,
                  "DELETE FROM journal_lines WHERE entry_id = "
                  f"(SELECT id FROM journal_entries WHERE entry_key = '{contribution_id}')",
                  f"DELETE FROM journal_entries WHERE entry_key = '{contribution_id}'",
                  "UPDATE account_balances SET amount = amount + 1 "
                  f"WHERE pool_id = '{POOL}' AND account = 'payable:H1'")
    result = rebuild(settings, "--database-url", settings.database_url, database_in_env=False)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("DIFFERENT: live 1 entries, rebuilt 2; missing 0, extra 1, different 0")
    assert f"  extra: {contribution_id}" in lines
    assert f"  balance: {POOL}/payable:H1: live -55999 rebuilt -56000" in lines
    assert "kept the rebuilt database" not in result.stdout
