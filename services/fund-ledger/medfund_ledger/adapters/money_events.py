"""Money events: each becomes one journal entry (a settlement also a fact), booked a whole batch at a time.

The consumer runner calls :func:`apply_many` inside its batch transaction, with the batch's money
events in one SAVEPOINT (or one event per call when it retries a failed batch event by event); it
never commits. Entries are built by the pure builders of :mod:`medfund_ledger.domain.journal`; only
entries whose key is new are booked, and only those move the clock, queue an alert evaluation (by entry
key: the event id, or the ledger's own key of a transfer or clearing) and record settlement facts.
Types are dispatched by their event type string (docs/events.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import clock, evaluation_queue, journal_store, settlement_store
from medfund_ledger.adapters.config import LedgerConfig, load_config
from medfund_ledger.adapters.settlement_store import SettlementFact
from medfund_ledger.domain import journal
from medfund_ledger.domain.pools import PoolKey
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types import billing, claims, ledger
from medfund_shared.money import Money
from medfund_shared.schemes import EMPLOYEE_SCHEME
from medfund_shared.year_range import check_date, check_year

EntryBuilder = Callable[[CloudEvent, EventData, LedgerConfig], journal.Entry]
SETTLEMENT_KINDS = {claims.SettlementCompleted.event_type: "settlement",
                    claims.SettlementReversed.event_type: "settlement_reversed"}


def _contribution_pool(data, config: LedgerConfig) -> str:
    return PoolKey(data.admdvs, config.contribution_pool(data.insutype), data.year).pool_id


def _employee_pools(data, config: LedgerConfig) -> tuple[str, str]:
    year = int(data.period[:4])
    return (PoolKey(data.admdvs, config.contribution_pool(EMPLOYEE_SCHEME), year).pool_id,
            PoolKey(data.admdvs, config.employee_account_pool, year).pool_id)


def _received(event, data, config) -> journal.Entry:
    return journal.contribution_received(event.id, event.effectivetime.date(), _contribution_pool(data, config),
                                         data.amount)


def _returned(kind: str) -> EntryBuilder:
    def build(event, data, config) -> journal.Entry:
        return journal.contribution_returned(event.id, kind, event.effectivetime.date(),
                                             _contribution_pool(data, config), data.amount)
    return build


def _on_behalf(event, data, config) -> journal.Entry:
    """A payer other than the government's budget (medical assistance) pays out of its own pool of the year."""
    sponsor = config.on_behalf_payer_pools.get(data.payer)
    sponsor_pool = PoolKey(data.admdvs, sponsor, data.year).pool_id if sponsor is not None else None
    return journal.on_behalf_paid(event.id, event.effectivetime.date(), _contribution_pool(data, config), data.amount,
                                  sponsor_pool)


def _on_behalf_withdrawn(event, data, config) -> journal.Entry:
    """A refund withdrew the premium: the on-behalf share goes back to its payer (the mirror of its payment)."""
    return journal.mirrored(_on_behalf(event, data, config), "on_behalf_withdrawn")


def _appropriation(event, data, config) -> journal.Entry:
    return journal.appropriation_received(event.id, event.effectivetime.date(),
                                          PoolKey(data.admdvs, data.fund_pay_type, data.year).pool_id, data.source,
                                          data.amount)


CATASTROPHIC_RETURNED = "catastrophic_returned"


def _transfer(event, data, config) -> journal.Entry:
    """The ledger's own transfer event: keyed by the transfer, so the entry booked with the command is this one.
    A catastrophic premium given back (``from`` the catastrophic pool ``to`` the pooled fund) is booked as the
    mirror of its financing, so the pooled fund's transfer expense and the catastrophic pool's transfer income
    go down rather than both funds showing a second, opposite movement."""
    if data.reason == CATASTROPHIC_RETURNED:
        financing = journal.transfer(transfer_key(data.transfer_id), data.effective_date, data.to_pool_id,
                                     data.from_pool_id, data.amount, data.memo)
        return journal.mirrored(financing, financing.kind)
    return journal.transfer(transfer_key(data.transfer_id), data.effective_date, data.from_pool_id, data.to_pool_id,
                            data.amount, data.memo)


def _clearing(event, data, config) -> journal.Entry:
    return journal.clearing(data.clearing_id, data.effective_date, data.fixmedins_code,
                            {pool.pool_id: pool.amount for pool in data.pools})


def transfer_key(transfer_id: str) -> str:
    return f"transfer:{transfer_id}"


def _brought_forward(event, data, config) -> journal.Entry:
    return journal.brought_forward(brought_forward_key(data.pool_id), data.effective_date, data.pool_id, data.amount,
                                   data.voucher_no)


def brought_forward_key(pool_id: str) -> str:
    """One balance brought forward per pool."""
    return f"brought_forward:{pool_id}"


def _subsidy(event, data, config) -> journal.Entry:
    shares = [(share.level, share.amount) for share in data.shares]
    return journal.subsidy_allocated(event.id, event.effectivetime.date(), _contribution_pool(data, config),
                                     data.amount, shares)


def _subsidy_withdrawn(event, data, config) -> journal.Entry:
    """A refund withdrew the premium: the subsidy goes back, level by level (the mirror of its allocation)."""
    return journal.mirrored(_subsidy(event, data, config), "subsidy_withdrawn")


def _employee_contribution(event, data, config) -> journal.Entry:
    pooled, account = _employee_pools(data, config)
    return journal.employee_contribution(event.id, event.effectivetime.date(), pooled, account, data.psn_no,
                                         data.pool_amount, data.account_amount, data.late_fee, data.period)


def _employee_contribution_withdrawn(event, data, config) -> journal.Entry:
    """A flexible worker's month refunded: the mirror of its split (pool, the person's account, late fee)."""
    return journal.mirrored(_employee_contribution(event, data, config), "employee_contribution_withdrawn")


def _account_credited(event, data, config) -> journal.Entry:
    pooled, account = _employee_pools(data, config)
    return journal.account_credited(event.id, event.effectivetime.date(), pooled, account, data.psn_no, data.amount,
                                    data.period)


def _settlement(event, data, config) -> journal.Entry:
    """Completed and reversed settlements: the reversal's negated amounts mirror the entry. The individual
    account's row (at most one) is booked to the person's sub-ledger."""
    rows = [(PoolKey(data.admdvs, f.fund_pay_type, data.year).pool_id,
             config.expense_kind(f.fund_pay_type, data.med_type), f.fund_payamt) for f in data.funds
            if f.fund_pay_type != config.employee_account_pool]
    paid_from_account = sum((f.fund_payamt for f in data.funds if f.fund_pay_type == config.employee_account_pool),
                            Money.zero())
    account_payment = (PoolKey(data.admdvs, config.employee_account_pool, data.year).pool_id, data.psn_no,
                       paid_from_account) if paid_from_account else None
    return journal.settlement(event.id, SETTLEMENT_KINDS[event.type], event.effectivetime.date(),
                              data.fixmedins_code, rows, account_payment)


BUILDERS: dict[str, EntryBuilder] = {
    billing.ContributionReceived.event_type: _received,
    billing.ContributionRefunded.event_type: _returned("contribution_refunded"),
    billing.ContributionReversed.event_type: _returned("contribution_reversed"),
    billing.ContributionOnBehalfPaid.event_type: _on_behalf,
    billing.SubsidyAllocated.event_type: _subsidy,
    billing.ContributionOnBehalfWithdrawn.event_type: _on_behalf_withdrawn,
    billing.SubsidyWithdrawn.event_type: _subsidy_withdrawn,
    billing.EmployeeContributionDeclared.event_type: _employee_contribution,
    billing.EmployeeAccountCredited.event_type: _account_credited,
    billing.EmployeeContributionWithdrawn.event_type: _employee_contribution_withdrawn,
    **dict.fromkeys(SETTLEMENT_KINDS, _settlement),
    billing.AppropriationRecorded.event_type: _appropriation,
    ledger.TransferBooked.event_type: _transfer,
    ledger.ClearingBooked.event_type: _clearing,
    ledger.BalanceBroughtForward.event_type: _brought_forward,
}


def entry_for(event: CloudEvent, data: EventData) -> journal.Entry:
    """The journal entry a money event books (raises when the event cannot be booked, e.g. a year or date
    out of the business range: the consumer parks it in the dead letters)."""
    entry = BUILDERS[event.type](event, data, load_config())
    for pool_id in entry.pool_ids:
        check_year(PoolKey.parse(pool_id).year, "year")
    check_date(entry.effective_date, "effective_date")
    return entry


def settlement_fact(event: CloudEvent, data, config: LedgerConfig) -> tuple[str, SettlementFact]:
    """(institution, fact) of a settlement or its reversal."""
    pooled_code = config.contribution_pool(data.insutype)
    pooled_paid = sum((f.fund_payamt for f in data.funds if f.fund_pay_type == pooled_code), Money.zero())
    sign = -1 if SETTLEMENT_KINDS[event.type] == "settlement_reversed" else 1
    return data.fixmedins_code, SettlementFact(
        event_id=event.id, setl_id=data.setl_id, admdvs=data.admdvs, year=data.year,
        pooled_pool_id=PoolKey(data.admdvs, pooled_code, data.year).pool_id, setl_date=event.effectivetime.date(),
        inpatient=sign if data.med_type in config.inpatient_med_types else 0, medfee_sumamt=data.medfee_sumamt.fen,
        inscp_scp_amt=data.inscp_scp_amt.fen, fund_pay_sumamt=data.fund_pay_sumamt.fen,
        pooled_fund_paid=pooled_paid.fen)


def region_times(booked: list[tuple[CloudEvent, journal.Entry]]) -> dict[str, datetime]:
    """The latest business time of the events booked now, per region of the pools their entries touch."""
    latest: dict[str, datetime] = {}
    for event, entry in booked:
        when = event.effectivetime
        for admdvs in {PoolKey.parse(pool_id).admdvs for pool_id in entry.pool_ids}:
            latest[admdvs] = max(latest.get(admdvs, when), when)
    return latest


async def apply_many(session: AsyncSession,
                     items: list[tuple[CloudEvent, EventData]]) -> list[tuple[CloudEvent, journal.Entry]]:
    """Book the entries of ``items`` (record order) and, for those booked now, the clock, queue and facts;
    returns the (event, entry) pairs booked now, in order."""
    config = load_config()
    entries = [(event, data, entry_for(event, data)) for event, data in items]
    booked = {entry.key for entry in await journal_store.record_many(session, [e for _, _, e in entries],
                                                                     origin="event")}
    fresh: dict[str, tuple[CloudEvent, EventData]] = {}
    booked_now: dict[str, tuple[CloudEvent, journal.Entry]] = {}
    for event, data, entry in entries:
        if entry.key in booked:
            fresh.setdefault(event.id, (event, data))
            booked_now.setdefault(entry.key, (event, entry))
    if not fresh:
        return []
    await clock.advance(session, region_times(list(booked_now.values())))
    await evaluation_queue.add_many(session, list(booked_now))
    await settlement_store.record_many(session, [settlement_fact(event, data, config) for event, data in fresh.values()
                                                 if event.type in SETTLEMENT_KINDS])
    return list(booked_now.values())
