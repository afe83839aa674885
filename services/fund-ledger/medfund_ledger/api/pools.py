"""Pool endpoints: figures, journal, budget, thresholds and transfers."""

from __future__ import annotations

from fastapi import APIRouter, Query

from medfund_ledger.adapters.config import load_config
from medfund_ledger.api.command_answers import BroughtForwardOut, ThresholdsOut, TransferOut
from medfund_ledger.api.deps import AsOf, ReadUowDep, UowDep
from medfund_ledger.api.errors import not_found, not_negative, parse_pool_id, writable_pool_id
from medfund_ledger.api.presenters import entry_json, pool_view_json
from medfund_ledger.api.read_models import JournalPageOut, PoolMonthsOut, PoolOut, PoolWhatIfOut
from medfund_ledger.api.schemas import BroughtForwardIn, PoolBudgetIn, PoolWhatIfIn, ThresholdsIn, TransferIn
from medfund_ledger.app import pool_view
from medfund_ledger.app.budgets import SetPoolBudget, set_pool_budget
from medfund_ledger.app.ledger_commands import (
    BringBalanceForward,
    TransferBetweenPools,
    bring_balance_forward,
    transfer,
)
from medfund_ledger.app.pool_history import pool_months
from medfund_ledger.app.pool_what_if import PoolWhatIfQuery, what_if
from medfund_ledger.app.thresholds import SetPoolThresholds, set_pool_thresholds
from medfund_ledger.domain.thresholds import InvalidThreshold
from medfund_shared.auth import AdminPrincipal, StaffPrincipal
from medfund_shared.errors import ApiError
from medfund_shared.money import Money

router = APIRouter(prefix="/v1/pools", tags=["pools"])


@router.get("", responses={200: {"model": list[PoolOut]}})
async def list_pools(_: StaffPrincipal, uow: ReadUowDep, as_of: AsOf = None) -> list[dict]:
    """Every pool with its income, expenditure, balance, payable, budget and measures; with ``as_of`` its figures at
    the end of that business date and the measures that follow from them alone (``as_of``, ``collection_rate``,
    ``spent_of_planned``, ``elapsed_fraction``)."""
    return [pool_view_json(v) for v in await pool_view.all_pools(pool_view.PoolsQuery(as_of), uow)]


@router.get("/{pool_id}", responses={200: {"model": PoolOut}})
async def get_pool(pool_id: str, _: StaffPrincipal, uow: ReadUowDep, as_of: AsOf = None) -> dict:
    """One pool; with ``as_of`` its figures at the end of that business date (measures as in ``GET /v1/pools``)."""
    try:
        return pool_view_json(await pool_view.pool(pool_view.PoolQuery(parse_pool_id(pool_id), as_of), uow))
    except pool_view.PoolNotFound:
        raise not_found("pool", "pool_id") from None


@router.get("/{pool_id}/journal", responses={200: {"model": JournalPageOut}})
async def get_journal(pool_id: str, _: StaffPrincipal, uow: ReadUowDep,
                      cursor: str | None = Query(default=None, pattern=r"^\d{1,18}$")) -> dict:
    """Journal entries touching the pool, oldest first; pass ``next_cursor`` back for the next page."""
    try:
        page = await pool_view.journal_page(
            pool_view.JournalPageQuery(parse_pool_id(pool_id), int(cursor or 0), load_config().journal_page_size), uow)
    except pool_view.PoolNotFound:
        raise not_found("pool", "pool_id") from None
    return {"entries": [entry_json(e, lines) for e, lines in page.entries],
            "next_cursor": str(page.next_id) if page.next_id is not None else None}


@router.get("/{pool_id}/months")
async def get_months(pool_id: str, _: StaffPrincipal, uow: ReadUowDep) -> PoolMonthsOut:
    """The pool's months, oldest first: income, expenditure and the balance at each month's end (the month of an
    entry is that of its effective date); months without income or expenditure are left out."""
    pool_id = parse_pool_id(pool_id)
    try:
        series = await pool_months(pool_view.PoolQuery(pool_id), uow)
    except pool_view.PoolNotFound:
        raise not_found("pool", "pool_id") from None
    return PoolMonthsOut(pool_id=pool_id, months=[
        {"month": m.month, "income": m.income.to_yuan(), "expenditure": m.expenditure.to_yuan(),
         "balance": m.balance.to_yuan()} for m in series])


@router.post("/{pool_id}/what-if")
async def post_what_if(pool_id: str, body: PoolWhatIfIn, _: StaffPrincipal, uow: UowDep) -> PoolWhatIfOut:
    """The pool had its expenditure differed by ``expenditure_change`` (a simulation's candidate, issue 25): its
    expenditure, year-end balance and reserve months as recorded and as they would be, and the pool rules that
    would be at yellow or red. Nothing is written."""
    try:
        answer = await what_if(PoolWhatIfQuery(parse_pool_id(pool_id), body.as_of, body.expenditure_change), uow)
    except pool_view.PoolNotFound:
        raise not_found("pool", "pool_id") from None
    outcome = answer.outcome
    actual_reserve, candidate_reserve = outcome.measure("reserve_months")
    return PoolWhatIfOut(
        pool_id=outcome.actual.pool_id, now=answer.now, income=Money(outcome.actual.income).to_yuan(),
        expenditure=_both(Money(outcome.actual.expenditure), Money(outcome.candidate.expenditure)),
        year_end_balance=_both(answer.balance, answer.candidate_balance),
        reserve_months=_both(actual_reserve.value, candidate_reserve.value),
        warnings=[{"rule": m.rule, "measure": str(m.value), "threshold": str(m.threshold), "level": m.severity}
                  for m in outcome.firing])


def _both(actual, candidate) -> dict:
    return {"actual": None if actual is None else str(actual),
            "candidate": None if candidate is None else str(candidate)}


@router.put("/{pool_id}/budget", responses={200: {"model": PoolOut}})
async def put_budget(pool_id: str, body: PoolBudgetIn, _: AdminPrincipal, uow: UowDep) -> dict:
    """Set the pool's amount due (应筹) and planned expenditure (neither negative); the rules are re-evaluated."""
    pool_id = writable_pool_id(pool_id)
    await set_pool_budget(SetPoolBudget(pool_id, not_negative(body.budget_due, "budget_due"),
                                        not_negative(body.planned_expenditure, "planned_expenditure")), uow)
    return pool_view_json(await pool_view.pool(pool_view.PoolQuery(pool_id), uow))


@router.put("/{pool_id}/thresholds", responses={200: {"model": ThresholdsOut}})
async def put_thresholds(pool_id: str, body: ThresholdsIn, _: AdminPrincipal, uow: UowDep) -> dict:
    """Override warning levels of this pool (defaults: the package's config/ledger.yaml)."""
    pool_id = writable_pool_id(pool_id)
    levels = {rule: (lv.yellow, lv.red) for rule, lv in body.rules.items()}
    try:
        await set_pool_thresholds(SetPoolThresholds(pool_id, levels), uow)
    except InvalidThreshold as exc:
        raise ApiError(422, "invalid_threshold", str(exc), exc.field) from None
    return {"pool_id": pool_id, "rules": {r: {"yellow": str(y), "red": str(rd)} for r, (y, rd) in levels.items()}}


@router.post("/{pool_id}/transfers", responses={200: {"model": TransferOut}})
async def post_transfer(pool_id: str, body: TransferIn, _: AdminPrincipal, uow: UowDep) -> dict:
    """Move money between pools (the catastrophic premium from the pooled fund); idempotent on transfer_id."""
    from_pool, to_pool = writable_pool_id(pool_id), writable_pool_id(body.to_pool_id, "to_pool_id")
    if from_pool == to_pool:
        raise ApiError(422, "same_pool", "a transfer needs two different pools", "to_pool_id")
    if body.amount.fen <= 0:
        raise ApiError(422, "invalid_amount", "the amount must be positive", "amount")
    cmd = TransferBetweenPools(body.transfer_id, from_pool, to_pool, body.amount, body.effective_date, body.memo)
    moved = await transfer(cmd, uow)
    return {"transfer_id": body.transfer_id, "from_pool_id": from_pool, "to_pool_id": to_pool,
            "amount": moved.get(from_pool, body.amount).to_yuan(), "effective_date": body.effective_date.isoformat()}


@router.post("/{pool_id}/brought-forward", responses={200: {"model": BroughtForwardOut}})
async def post_brought_forward(pool_id: str, body: BroughtForwardIn, _: AdminPrincipal, uow: UowDep) -> dict:
    """The fund's balance before the ledger kept it, carried into the first year the ledger keeps (once a pool)."""
    pool_id = writable_pool_id(pool_id)
    if body.amount.fen == 0:
        raise ApiError(422, "invalid_amount", "the amount must not be zero", "amount")
    cmd = BringBalanceForward(pool_id, body.amount, body.voucher_no)
    await bring_balance_forward(cmd, uow)
    return {"pool_id": pool_id, "amount": body.amount.to_yuan(), "effective_date": cmd.effective_date.isoformat(),
            "voucher_no": body.voucher_no}
