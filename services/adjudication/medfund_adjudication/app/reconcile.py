"""Reconciliation of totals (3201): the hospital's figures for a period against our records."""

from __future__ import annotations

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.app.commands import Reconcile
from medfund_adjudication.domain.reconciliation import Statement, reconcile
from medfund_adjudication.domain.refusal import Refused


async def reconcile_totals(cmd: Reconcile, uow: AdjudicationUnitOfWork) -> Statement:
    if cmd.end < cmd.begin:
        raise Refused("invalid", "stmt_enddate is before stmt_begndate", "stmt_enddate")
    async with uow:
        ours = await uow.settlements.totals(cmd.fixmedins_code, cmd.insutype, cmd.begin, cmd.end,
                                            cmd.setl_optins, cmd.with_reversals)
        return reconcile(cmd.theirs, ours)
