"""Reversal (2305 / 2208): the exact negation of a settlement, its deltas taken back out of the year."""

from __future__ import annotations

from medfund_adjudication.adapters import (
    settlement_metrics,
)
from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer
from medfund_adjudication.app import settlement_events
from medfund_adjudication.app.admission import load_admission
from medfund_adjudication.app.commands import Reverse
from medfund_adjudication.app.identifiers import SETTLEMENT, new_id
from medfund_adjudication.app.person_types import person_type
from medfund_adjudication.app.settle import Settled
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import reverse
from medfund_adjudication.domain.settlement_record import SettlementRecord
from medfund_shared.china_time import business_date


async def reverse_settlement(cmd: Reverse, uow: AdjudicationUnitOfWork) -> Answer[Settled]:
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        admission = await load_admission(uow, cmd.mdtrt_id, cmd.acting_for, cmd.psn_no)
        original = await uow.settlements.get(cmd.setl_id, lock=True)
        if original is None or original.kind != "settlement" or original.mdtrt_id != cmd.mdtrt_id:
            raise Refused("not_found", f"setl_id {cmd.setl_id} is not a settlement of mdtrt_id {cmd.mdtrt_id}",
                          "setl_id")
        if await uow.settlements.reversal_of(cmd.setl_id) is not None:
            raise Refused("conflict", f"setl_id {cmd.setl_id} is already reversed", "setl_id")
        ytd = await uow.settlements.lock_accumulators(original.psn_no, original.year)
        result = reverse(original.result, ytd)
        record = SettlementRecord(
            new_id(SETTLEMENT), "reversal", original.setl_id, original.mdtrt_id, None,
            original.fixmedins_code, original.psn_no, original.admdvs, original.insutype, original.year,
            cmd.reversed_at, business_date(cmd.reversed_at), result)
        version = await uow.settlements.save_accumulators(original.psn_no, original.year, result.accumulators_after)
        await uow.settlements.add(record, version)
        await uow.admissions.release(original.mdtrt_id, original.setl_id)
        if original.result.acct_pay:
            await uow.coverage.credit(f"reversal:{record.setl_id}", original.psn_no,
                                       original.result.acct_pay)
        coverage = await uow.coverage.get(original.psn_no, original.insutype, original.year)
        psn_type = await person_type(uow, coverage, business_date(admission.begntime))
        await uow.emit(settlement_events.reversed_(record, admission), record.setl_time)
        institution = await uow.registry.get_institution(original.fixmedins_code)
        answer = await uow.commit_answer(cmd.request, Settled(record, coverage, admission, psn_type, institution.level))
    settlement_metrics.recorded(record, institution.level)
    return answer
