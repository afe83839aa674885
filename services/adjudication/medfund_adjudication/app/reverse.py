"""Reversal (2305 / 2208): the exact negation of a settlement, its deltas taken back out of the year."""

from __future__ import annotations

from medfund_adjudication.adapters import (
    admission_repo,
    coverage_repo,
    registry_repo,
    settlement_metrics,
    settlement_repo,
)
from medfund_adjudication.adapters.settlement_repo import SettlementRecord
from medfund_adjudication.adapters.uow import Answer, UnitOfWork
from medfund_adjudication.app import settlement_events
from medfund_adjudication.app.admission import load_admission
from medfund_adjudication.app.commands import Reverse
from medfund_adjudication.app.identifiers import SETTLEMENT, new_id
from medfund_adjudication.app.person_types import person_type
from medfund_adjudication.app.settle import Settled
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import reverse
from medfund_shared import outbox
from medfund_shared.china_time import business_date
from medfund_shared.events import sources


async def reverse_settlement(cmd: Reverse, uow: UnitOfWork) -> Answer[Settled]:
    async with uow:
        if (replay := await uow.replay(cmd.request)) is not None:
            return replay
        admission = await load_admission(uow, cmd.mdtrt_id, cmd.acting_for, cmd.psn_no)
        original = await settlement_repo.get(uow.session, cmd.setl_id, lock=True)
        if original is None or original.kind != "settlement" or original.mdtrt_id != cmd.mdtrt_id:
            raise Refused("not_found", f"setl_id {cmd.setl_id} is not a settlement of mdtrt_id {cmd.mdtrt_id}",
                          "setl_id")
        if await settlement_repo.reversal_of(uow.session, cmd.setl_id) is not None:
            raise Refused("conflict", f"setl_id {cmd.setl_id} is already reversed", "setl_id")
        ytd = await settlement_repo.lock_accumulators(uow.session, original.psn_no, original.year)
        result = reverse(original.result, ytd)
        record = SettlementRecord(
            new_id(SETTLEMENT), "reversal", original.setl_id, original.mdtrt_id, None,
            original.fixmedins_code, original.psn_no, original.admdvs, original.insutype, original.year,
            cmd.reversed_at, business_date(cmd.reversed_at), result)
        await settlement_repo.add(uow.session, record)
        await admission_repo.release(uow.session, original.mdtrt_id, original.setl_id)
        await settlement_repo.save_accumulators(uow.session, original.psn_no, original.year, result.accumulators_after)
        if original.result.acct_pay:
            await coverage_repo.credit(uow.session, f"reversal:{record.setl_id}", original.psn_no,
                                       original.result.acct_pay)
        coverage = await coverage_repo.get(uow.session, original.psn_no, original.insutype, original.year)
        psn_type = await person_type(uow, coverage, business_date(admission.begntime))
        await outbox.add(uow.session, settlement_events.reversed_(record, admission), source=sources.ADJUDICATION,
                         effective_time=record.setl_time)
        institution = await registry_repo.get_institution(uow.session, original.fixmedins_code)
        answer = await uow.commit(cmd.request, Settled(record, coverage, admission, psn_type, institution.level))
    settlement_metrics.recorded(record, institution.level)
    return answer
