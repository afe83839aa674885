"""Alert evaluation on the real database: in the batch's transaction, or queued and drained later; serialised per
(rule, subject)."""

from __future__ import annotations

import asyncio

import ledger_events as ev
import pytest
from sqlalchemy import func, select, update

from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.handlers import BATCH_HANDLER, HANDLERS
from medfund_ledger.adapters.tables import alert_changes, alerts, pending_evaluations, pools
from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.adapters.warnings_repository import WarningsRepository
from medfund_ledger.app.budgets import SetPoolBudget, set_pool_budget
from medfund_ledger.app.drain_alert_queue import drain, within_batch
from medfund_ledger.app.evaluate_warnings import evaluate
from medfund_shared.db import create_engine, create_session_factory
from medfund_shared.money import Money
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
POOL = "500240:390100:2026"


@pytest.fixture
async def sessions(service_database):
    engine = create_engine(Settings(database_url=service_database("medfund_ledger")))
    yield create_session_factory(engine)
    await engine.dispose()


async def apply_batch(sessions, *events) -> None:
    """What the consumer does with a batch: every handler in one transaction; no evaluation afterwards."""
    items = [(ev.envelope(data, when), data) for data, when in events]
    async with sessions() as session, session.begin():
        await BATCH_HANDLER.apply_many(session, [item for item in items if item[0].type in BATCH_HANDLER.types])
        for event, data in items:
            if event.type in HANDLERS:
                await HANDLERS[event.type](session, event, data)


async def half_year_spent(sessions) -> None:
    """1,000,000 raised in January, 600,000 spent by the end of June (no alert evaluated yet)."""
    await apply_batch(sessions, (ev.contribution("500240", 2026, "1000000.00", ev.at(2026, 1, 10)), ev.at(2026, 1, 10)),
                      *[(ev.settlement("500240", 2026, "H1", "11", "100000.00", ev.at(2026, m, 28)), ev.at(2026, m, 28))
                        for m in range(1, 7)])


async def open_alerts(sessions) -> dict[str, list[str]]:
    async with sessions() as session:
        rows = (await session.execute(select(alerts.c.rule, alerts.c.severity).where(
            alerts.c.subject_id == POOL, alerts.c.state != "resolved"))).all()
    found: dict[str, list[str]] = {}
    for rule, severity in rows:
        found.setdefault(rule, []).append(severity)
    return found


async def scalar(sessions, query):
    async with sessions() as session:
        return await session.scalar(query)


async def test_a_batch_queues_its_events_so_alerts_survive_a_crash_before_evaluation(sessions):
    await apply_batch(sessions, (ev.contribution("500240", 2026, "1000.00", ev.at(2026, 3, 1)), ev.at(2026, 3, 1)),
                      (ev.settlement("500240", 2026, "H1", "21", "5000.00", ev.at(2026, 3, 2)), ev.at(2026, 3, 2)))
    # the process "crashes" here: the batch committed, the evaluation never ran
    assert await scalar(sessions, select(func.count()).select_from(pending_evaluations)) == 2
    assert await open_alerts(sessions) == {}

    assert await drain(sessions) == 2
    assert (await open_alerts(sessions))["current_deficit"] == ["red"]
    assert await scalar(sessions, select(func.count()).select_from(pending_evaluations)) == 0
    assert await drain(sessions) == 0


async def test_a_batch_evaluated_in_its_transaction_commits_its_alert_with_it_and_leaves_nothing_queued(sessions):
    """What the live consumer does: the alert commits with the batch (no later drain), or neither does."""
    batch = [(ev.contribution("500240", 2026, "1000.00", ev.at(2026, 3, 1)), ev.at(2026, 3, 1)),
             (ev.settlement("500240", 2026, "H1", "21", "5000.00", ev.at(2026, 3, 2)), ev.at(2026, 3, 2))]
    items = [(ev.envelope(data, when), data) for data, when in batch]

    class Crash(Exception):
        pass

    with pytest.raises(Crash):
        async with sessions() as session, session.begin():
            await BATCH_HANDLER.apply_many(session, items)
            await within_batch(session, [event for event, _ in items])
            raise Crash  # the batch fails before its commit: neither the projection nor the alert is kept
    assert await open_alerts(sessions) == {}
    assert await scalar(sessions, select(func.count()).select_from(pending_evaluations)) == 0

    async with sessions() as session, session.begin():
        await BATCH_HANDLER.apply_many(session, items)
        await within_batch(session, [event for event, _ in items])
    assert (await open_alerts(sessions))["current_deficit"] == ["red"]
    assert await scalar(sessions, select(func.count()).select_from(pending_evaluations)) == 0
    fired = await scalar(sessions, select(func.count()).select_from(alerts))
    assert await scalar(sessions, select(func.count()).select_from(alert_changes)) == fired  # each published once
    assert await drain(sessions) == 0


async def test_a_second_evaluation_of_a_subject_waits_for_the_first_and_adds_no_duplicate(sessions):
    await half_year_spent(sessions)
    async with sessions() as session, session.begin():
        await session.execute(update(pools).where(pools.c.pool_id == POOL).values(planned_expenditure=100000000))
    touched = Touched(pools={POOL: ["budget"]})

    async with sessions() as first:
        await first.begin()
        fired = await evaluate(WarningsRepository(first), touched)
        assert "burn_pace" in {change.rule for change in fired}

        async def second():
            async with sessions() as session, session.begin():
                return await evaluate(WarningsRepository(session), touched)

        racing = asyncio.create_task(second())
        await asyncio.sleep(0.5)
        assert not racing.done(), "the second evaluation should wait for the first one's row locks"
        await first.commit()
    assert await racing == []
    assert all(len(severities) == 1 for severities in (await open_alerts(sessions)).values())
    assert await scalar(sessions, select(func.count()).select_from(alert_changes)) == len(fired)


async def test_budget_changes_racing_the_evaluator_leave_one_alert_state_that_matches_the_last_budget(sessions):
    await half_year_spent(sessions)
    tight, loose = Money.from_yuan("700000.00"), Money.from_yuan("5000000.00")

    async def change_budget(planned: Money) -> None:
        async with sessions() as session:
            await set_pool_budget(SetPoolBudget(POOL, Money.from_yuan("1000000.00"), planned),
                                  LedgerUnitOfWork(session, evaluation=evaluate))

    for _round in range(3):
        await asyncio.gather(drain(sessions), *(change_budget(p) for p in (tight, loose, tight, loose, tight)))
        severities = await open_alerts(sessions)
        assert all(len(found) == 1 for found in severities.values()), severities
        async with sessions() as session, session.begin():
            assert await evaluate(WarningsRepository(session), Touched(pools={POOL: ["check"]})) == [], \
                "the stored alerts must already match the figures the race left behind"
    async with sessions() as session:
        planned = await session.scalar(select(pools.c.planned_expenditure).where(pools.c.pool_id == POOL))
    assert ("burn_pace" in await open_alerts(sessions)) == (planned == tight.fen)


async def test_a_registration_applied_after_the_settlements_still_raises_the_institution_budget_alert(sessions):
    """Institution events and settlements are keyed differently, so they may land on different partitions."""
    code = "H500240042"
    await apply_batch(sessions, *[(ev.settlement("500240", 2026, code, "21", "90000.00", ev.at(2026, 4, day)),
                                   ev.at(2026, 4, day)) for day in (1, 2)])
    await drain(sessions)
    await apply_batch(sessions, (ev.institution(code, "500240", "200000.00"), ev.at(2026, 1, 1)))
    await drain(sessions)
    async with sessions() as session:
        fired = (await session.execute(select(alerts.c.rule, alerts.c.severity, alerts.c.measure)
                                       .where(alerts.c.subject_id == code))).all()
    assert [tuple(row) for row in fired] == [("institution_budget", "yellow", "0.9000")]
