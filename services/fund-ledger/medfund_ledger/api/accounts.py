"""Employees' individual-account statements (the 310200 sub-ledger per person), for operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from medfund_ledger.adapters.account_statement_query import sub_ledger_lines
from medfund_ledger.api.errors import not_found
from medfund_ledger.api.read_models import AccountOut
from medfund_ledger.domain.account_statement import statement
from medfund_shared.auth import StaffPrincipal
from medfund_shared.context import SessionDep

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


@router.get("/{psn_no}", responses={200: {"model": AccountOut}})
async def get_account(psn_no: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")], _: StaffPrincipal,
                      session: SessionDep) -> dict:
    """The person's balance and every movement oldest first: credits per month, payments per settlement,
    restorations per reversal, each with its business date, event id and running balance."""
    lines = await sub_ledger_lines(session, psn_no)
    if not lines:
        raise not_found("individual account", "psn_no")
    account = statement(psn_no, lines)
    return {"psn_no": psn_no, "balance": account.balance.to_yuan(),
            "entries": [{"effective_date": e.effective_date.isoformat(), "event_id": e.event_id, "kind": e.kind,
                         "memo": e.memo, "pool_id": e.pool_id, "amount": e.amount.to_yuan(),
                         "balance_after": e.balance_after.to_yuan()} for e in account.entries]}
