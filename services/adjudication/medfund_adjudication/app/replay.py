"""Replay of a recorded settlement: compute it again from its stored inputs under its pack, and compare."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import SettlementRefused, settle
from medfund_adjudication.domain.settlement.receipt import canonical, inputs_from, receipt_of
from medfund_adjudication.domain.settlement.replay import ReplayVerdict, compare
from medfund_adjudication.domain.settlement_record import SettlementRecord
from medfund_shared.policy.pack_set import NoPackInForce
from medfund_shared.policy.schema import PolicyPack


@dataclass(frozen=True)
class ReplaySettlement:
    setl_id: str


@dataclass(frozen=True)
class Replayed:
    record: SettlementRecord
    pack: PolicyPack
    outcome: ReplayVerdict


async def replay_settlement(cmd: ReplaySettlement, uow: AdjudicationUnitOfWork) -> Replayed:
    async with uow:
        record = await uow.settlements.get(cmd.setl_id)
    if record is None:
        raise Refused("not_found", f"setl_id {cmd.setl_id} is not a known settlement", "setl_id")
    if record.kind != "settlement":
        raise Refused("invalid", f"setl_id {cmd.setl_id} is a reversal, the exact negation of settlement "
                                 f"{record.original_setl_id}: replay that one", "setl_id")
    if record.inputs is None or record.receipt is None:
        raise Refused("invalid", f"setl_id {cmd.setl_id} was recorded before settlements kept their inputs",
                      "setl_id")
    try:
        pack = uow.packs.get(record.result.pack_id)
    except NoPackInForce as missing:
        raise Refused("invalid", f"{missing}: setl_id {cmd.setl_id} cannot be computed again", "setl_id") from None
    inputs = inputs_from(record.inputs)
    try:
        again = settle(inputs.visit, pack, inputs.catalogue, inputs.accumulators_before)
    except SettlementRefused as refused:
        raise Refused("invalid", f"pack {pack.pack_id} now refuses setl_id {cmd.setl_id}: {refused.message}",
                      "setl_id") from None
    return Replayed(record, pack, ReplayVerdict(record.receipt, receipt_of(canonical(inputs), pack.content_hash),
                                                compare(record.result, again)))
