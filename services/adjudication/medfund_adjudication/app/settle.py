"""Settlement (2304 / 2207) and pre-settlement (2303 / 2206) of an admission's unsettled fee details.

This is the gateway's hot path, the documented exception to the unit-of-work pattern: its tuned statements
run on the driver (``uow.settling``, :mod:`medfund_adjudication.adapters.settling`), not on the session. A settlement
first runs without a transaction: it reads the admission and the person's state, computes, and writes the
record, the accumulators, the account, the fee details, the event and the stored answer in one statement
that applies only if no other change for the person came in between. When one did, it settles again in a
transaction that locks the person's accumulator row and then reads their state again, so concurrent
settlements for one person serialise there and no cap can be exceeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medfund_adjudication.adapters import settlement_metrics
from medfund_adjudication.adapters.settling import Settling
from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer, stored_answer
from medfund_adjudication.app import settlement_events
from medfund_adjudication.app.commands import Settle
from medfund_adjudication.app.identifiers import SETTLEMENT, new_id
from medfund_adjudication.app.person_types import code_of
from medfund_adjudication.domain.admission import Admission, ensure_settleable
from medfund_adjudication.domain.coverage import Coverage, covered_on
from medfund_adjudication.domain.refunds import net_of_refunds
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import Person, Visit, settle
from medfund_adjudication.domain.settlement.receipt import SettlementInputs, canonical, receipt_of
from medfund_adjudication.domain.settlement_reading import AdmissionContext, PersonState
from medfund_adjudication.domain.settlement_record import SettlementRecord
from medfund_shared import outbox
from medfund_shared.china_time import business_date
from medfund_shared.errors import is_conflict, is_lost_race
from medfund_shared.money import Money
from medfund_shared.refusal import Refusal
from medfund_shared.schemes import EMPLOYEE_SCHEME


@dataclass(frozen=True)
class Settled:
    """What the answer shows: the record (or, for a pre-settlement, what it would be) and the person."""

    record: SettlementRecord
    coverage: Coverage
    admission: Admission
    psn_type: str
    """The platform's person-type code for the person on the admission day (the pack's ``person_types``)."""
    institution_level: str | None = None
    """The institution's level (``primary`` …) when the settlement or reversal was recorded now, for the metrics."""


def person_of(coverage: Coverage, admitted_on: date, state: PersonState) -> Person:
    """The engine's person; only employees have an account balance and a retired flag."""
    category, tier = coverage.category_on(admitted_on)
    employee = coverage.insutype == EMPLOYEE_SCHEME
    return Person(coverage.admdvs, coverage.insutype, coverage.brdy, category, tier, employee and state.retired,
                  state.balance if employee else Money(0))


async def _reading(db: Settling, cmd: Settle) -> tuple[AdmissionContext, PersonState]:
    """The admission's context, checked against the request, and the person's state."""
    reading = await db.reading(cmd.mdtrt_id, cmd.medins_setl_id if cmd.record else None,
                               cmd.request.request if cmd.record and cmd.request else None)
    if reading is None:
        raise Refused("not_found", f"mdtrt_id {cmd.mdtrt_id} is not a known admission", "mdtrt_id")
    context, state = reading
    if context.stored_request is not None:
        return context, state
    admission = context.admission
    admission.ensure_acting_for(cmd.acting_for)
    admission.ensure_person(cmd.psn_no)
    admission.ensure_open()
    if cmd.insutype is not None and cmd.insutype != admission.insutype:
        raise Refused("invalid", f"insutype {cmd.insutype} is not the admission's scheme {admission.insutype}",
                      "insutype")
    if context.medins_setl_id_used:
        raise Refused("conflict", f"medins_setl_id {cmd.medins_setl_id} is already settled", "medins_setl_id")
    return context, state


async def settle_visit(cmd: Settle, uow: AdjudicationUnitOfWork) -> Answer[Settled]:
    """Settle (or pre-settle) the admission's unsettled fee details.

    The request key is not claimed up front (a settlement is the hot path): a retry finds the stored
    answer in the first query, and a refusal of a keyed request is checked against an answer that a
    concurrent first use committed meanwhile (its retry is refused "no unsettled fee details" otherwise).
    """
    try:
        answer = await _unlocked_then_locked(cmd, uow)
    except Refusal:
        if cmd.record and cmd.request is not None and (replay := await uow.answered(cmd.request)) is not None:
            return replay
        raise
    if cmd.record and answer.result is not None:
        uow.published()
        settlement_metrics.recorded(answer.result.record, answer.result.institution_level)
    return answer


async def _unlocked_then_locked(cmd: Settle, uow: AdjudicationUnitOfWork) -> Answer[Settled]:
    """Without a lock first; under the person's lock when a concurrent change for the person came in between
    (or the sender's settlement id was taken meanwhile: the locked attempt refuses it)."""
    try:
        async with uow.settling(locked=False) as db:
            if (answer := await _settle(cmd, uow, db, locked=False)) is not None:
                return answer
    except Exception as exc:
        if not cmd.record or not (is_lost_race(exc) or is_conflict(exc)):
            raise
    try:
        async with uow.settling(locked=True) as db:
            answer = await _settle(cmd, uow, db, locked=True)
    except Exception as exc:
        if not is_lost_race(exc):
            raise
        answer = None
    if answer is None:
        field = cmd.request.field if cmd.request is not None else "mdtrt_id"
        raise Refused("conflict", f"mdtrt_id {cmd.mdtrt_id}'s fee details or the person's account changed during "
                                  f"the settlement, or a concurrent request used this {field}; send the request "
                                  "again", field)
    return answer


async def _settle(cmd: Settle, uow: AdjudicationUnitOfWork, db: Settling, *, locked: bool) -> Answer[Settled] | None:
    """The settlement's answer; None when the write found the person's totals changed since they were read
    (only without ``locked``: with it, the person's state is read again once the lock is held)."""
    context, state = await _reading(db, cmd)
    if locked and context.stored_request is None:
        admission = context.admission
        await db.lock_accumulators(admission.psn_no, business_date(admission.begntime).year)
        context, state = await _reading(db, cmd)
    if context.stored_request is not None:
        return stored_answer(cmd.request, *context.stored_request)
    admission = context.admission
    day = business_date(admission.begntime)
    coverage = covered_on(context.coverage, admission.psn_no, admission.insutype, day)
    if not state.lines:
        raise Refused("invalid", f"mdtrt_id {admission.mdtrt_id} has no unsettled fee details", "mdtrt_id")
    if cmd.record:
        ensure_settleable(admission, cmd.mid_setl)
    items = net_of_refunds(state.lines)
    uploaded = Money(sum(i.det_item_fee_sumamt.fen for i in items))
    if uploaded != cmd.medfee_sumamt:
        raise Refused("invalid", f"medfee_sumamt {cmd.medfee_sumamt} differs from the uploaded fee details' "
                                 f"total {uploaded}", "medfee_sumamt")
    person = person_of(coverage, day, state)
    visit = Visit(person, context.institution.for_engine(), admission.med_type, day, items, admission.referred,
                  cmd.acct_used, admission.disease_codes, state.stay_deductible)
    pack = uow.pack(coverage.admdvs, admission.insutype, day)
    entries = {code: item.for_engine() for code, item in state.catalogue.items()}
    result = settle(visit, pack, entries, state.accumulators)
    inputs = canonical(SettlementInputs(visit, entries, state.accumulators))
    record = SettlementRecord(
        new_id(SETTLEMENT), "settlement", None, admission.mdtrt_id, cmd.medins_setl_id,
        admission.fixmedins_code, admission.psn_no, coverage.admdvs, admission.insutype, day.year,
        cmd.setl_time, business_date(cmd.setl_time), result, inputs, receipt_of(inputs, pack.content_hash))
    settled = Settled(record, coverage, admission, code_of(pack, person.category, person.retired),
                      context.institution.level)
    if not cmd.record:
        return Answer(settled)
    event, _ = outbox.outbox_row(settlement_events.completed(record, admission), source=uow.source,
                                 effective_time=record.setl_time)
    answer = (cmd.request.request, cmd.request.render(settled)) if cmd.request is not None else None
    serials = [line.feedetl_sn for line, _ in state.lines]
    if not await db.add(record, serials, state.version, event, answer):
        return None
    return Answer(settled, answer and answer[1])
