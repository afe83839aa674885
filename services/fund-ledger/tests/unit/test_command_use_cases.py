"""The ledger's command use cases against ``FakeUnitOfWork``: entries, events, idempotency, refusals."""

from datetime import date, datetime

import pytest
from ledger_fakes import FakeUnitOfWork

from medfund_ledger.app.acknowledge import AcknowledgeAlert, acknowledge
from medfund_ledger.app.budgets import SetInstitutionBudget, SetPoolBudget, set_institution_budget, set_pool_budget
from medfund_ledger.app.ledger_commands import ClearInstitution, TransferBetweenPools, clear_institution, transfer
from medfund_ledger.domain import journal
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.types.ledger import ClearingBooked, TransferBooked
from medfund_shared.money import Money
from medfund_shared.refusal import Kind, Refusal

POOLED, CATASTROPHIC = "500240:310100:2026", "500240:390200:2026"
"""config/ledger.yaml: business_utc_offset_minutes 480."""


def operator_transfer(amount: str = "1000.00") -> TransferBetweenPools:
    return TransferBetweenPools("T-1", POOLED, CATASTROPHIC, Money.from_yuan(amount), date(2026, 3, 1), "premium")


async def test_a_transfer_is_booked_once_with_its_event_and_a_retry_replays_it():
    uow = FakeUnitOfWork()
    first = await transfer(operator_transfer(), uow)
    again = await transfer(operator_transfer(), uow)
    # Dr transfer-out / Cr cash in the pooled fund, Dr cash / Cr transfer-in in the catastrophic pool
    assert first == again == {POOLED: Money(100_000), CATASTROPHIC: Money(100_000)}
    assert list(uow.ledger.entries) == ["transfer:T-1"]
    [(event, at)] = uow.events
    assert isinstance(event, TransferBooked) and (event.amount, event.reason) == (Money(100_000), "operator")
    assert at == datetime(2026, 3, 1, tzinfo=CHINA_TIME)
    assert uow.commits == 1 and set(uow.evaluated[0].pools) == {POOLED, CATASTROPHIC}


async def test_a_transfer_id_with_other_content_is_refused_and_books_nothing():
    uow = FakeUnitOfWork()
    await transfer(operator_transfer(), uow)
    with pytest.raises(Refusal) as refused:
        await transfer(operator_transfer("1.00"), uow)
    assert (refused.value.code, refused.value.kind, refused.value.field) == (
        "idempotency_key_reused", Kind.CONFLICT, "transfer_id")
    assert len(uow.events) == 1


async def test_a_clearing_pays_what_is_payable_up_to_the_period_end_once():
    uow = FakeUnitOfWork()
    owed = journal.settlement("evt-1", "settlement", date(2026, 3, 10), "H001", [(POOLED, "benefit", Money(50_000))])
    later = journal.settlement("evt-2", "settlement", date(2026, 4, 2), "H001", [(POOLED, "benefit", Money(7_000))])
    for entry in (owed, later):
        await uow.ledger.book(entry, None)
    cleared = await clear_institution(ClearInstitution("H001", "2026-03"), uow)
    assert cleared == {POOLED: Money(50_000)}  # the April settlement is not payable by the end of March
    assert await clear_institution(ClearInstitution("H001", "2026-03"), uow) == cleared
    [(event, at)] = uow.events
    assert isinstance(event, ClearingBooked) and event.effective_date == date(2026, 3, 31)
    assert at == datetime(2026, 3, 31, tzinfo=CHINA_TIME)


async def test_a_budget_for_an_unknown_institution_is_not_found_and_changes_nothing():
    uow = FakeUnitOfWork()
    with pytest.raises(Refusal) as refused:
        await set_institution_budget(SetInstitutionBudget("H404", 2026, Money(1)), uow)
    assert (refused.value.status, refused.value.field) == (404, "fixmedins_code")
    assert (uow.ledger.institution_budgets, uow.commits, uow.evaluated) == ({}, 0, [])


async def test_a_pool_budget_is_stored_and_its_pool_re_evaluated():
    uow = FakeUnitOfWork()
    await set_pool_budget(SetPoolBudget(POOLED, Money(9), Money(8)), uow)
    assert uow.ledger.pools[POOLED] == {"budget_due": Money(9), "planned_expenditure": Money(8)}
    assert uow.evaluated[0].pools == {POOLED: [f"budget:{POOLED}"]} and uow.commits == 1


async def test_acknowledging_a_missing_alert_is_not_found():
    with pytest.raises(Refusal) as refused:
        await acknowledge(AcknowledgeAlert("A-404", "operator-7", "seen", datetime(2026, 3, 1, tzinfo=CHINA_TIME)),
                          FakeUnitOfWork())
    assert (refused.value.status, refused.value.field) == (404, "alert_id")
