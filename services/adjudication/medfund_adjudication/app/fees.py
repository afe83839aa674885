"""Fee details: upload (2301 / 2204) answers each item's split; cancel (2302) frees unsettled ones."""

from __future__ import annotations

from dataclasses import replace

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer
from medfund_adjudication.app.admission import load_admission
from medfund_adjudication.app.commands import CancelFees, UploadFees
from medfund_adjudication.domain.coverage import covered_on
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_adjudication.domain.refunds import Refundable, apply_refund
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import ItemResult
from medfund_adjudication.domain.settlement.itemisation import itemise_one
from medfund_shared.china_time import business_date


async def upload_fees(cmd: UploadFees, uow: AdjudicationUnitOfWork) -> Answer[list[ItemResult]]:
    if not cmd.lines:
        raise Refused("invalid", "feedetail: at least one fee detail is required", "feedetail")
    keys = [(line.mdtrt_id, line.feedetl_sn) for line in cmd.lines]
    if len(set(keys)) != len(keys):
        raise Refused("invalid", "feedetail: a feedetl_sn appears twice for one mdtrt_id", "feedetl_sn")
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        admissions = await uow.admissions.get_many({line.mdtrt_id for line in cmd.lines})
        itemisation = {}
        for mdtrt_id in sorted({line.mdtrt_id for line in cmd.lines}):
            admission = admissions.get(mdtrt_id)
            if admission is None:
                raise Refused("not_found", f"mdtrt_id {mdtrt_id} is not a known admission", "mdtrt_id")
            admission.ensure_acting_for(cmd.acting_for)
            admission.ensure_open()
            day = business_date(admission.begntime)
            coverage = covered_on(await uow.coverage.get(admission.psn_no, admission.insutype, day.year),
                                  admission.psn_no, admission.insutype, day)
            itemisation[mdtrt_id] = uow.pack(coverage.admdvs, admission.insutype, day).itemisation
        for line in cmd.lines:
            admissions[line.mdtrt_id].ensure_person(line.psn_no)
        if duplicates := await uow.admissions.existing_serials(keys):
            mdtrt_id, sn = sorted(duplicates)[0]
            raise Refused("conflict", f"feedetl_sn {sn} of mdtrt_id {mdtrt_id} is already uploaded", "feedetl_sn")
        await _check_refunds(uow, cmd.lines)
        catalogue = await uow.registry.catalogue_items({line.med_list_codg for line in cmd.lines})
        results = [_itemised(line, _entry(catalogue, line.med_list_codg), itemisation[line.mdtrt_id])
                   for line in cmd.lines]
        await uow.admissions.add_fees(list(cmd.lines), cmd.request.message_key if cmd.request else None)
        return await uow.commit_answer(cmd.request, results)


async def _check_refunds(uow: AdjudicationUnitOfWork, lines: tuple[FeeLine, ...]) -> None:
    """Each refund line points at a detail of its visit, uploaded before or earlier in this batch, and the
    refunds of a detail stay within its quantity and amount (the visit is locked: two uploads refunding the same
    detail take turns)."""
    refunds = [line for line in lines if line.init_feedetl_sn is not None]
    if not refunds:
        return
    for mdtrt_id in sorted({r.mdtrt_id for r in refunds}):
        await uow.admissions.get(mdtrt_id, lock=True)
    targets = await uow.admissions.refundable({(r.mdtrt_id, r.init_feedetl_sn) for r in refunds})
    for line in lines:
        key = (line.mdtrt_id, line.init_feedetl_sn)
        if line.init_feedetl_sn is None:
            targets[(line.mdtrt_id, line.feedetl_sn)] = Refundable(line.feedetl_sn, line.cnt,
                                                                   line.det_item_fee_sumamt)
            continue
        targets[key] = apply_refund(line.mdtrt_id, line.feedetl_sn, line.init_feedetl_sn, line.cnt,
                                    line.det_item_fee_sumamt, targets.get(key))
        targets[(line.mdtrt_id, line.feedetl_sn)] = Refundable(line.feedetl_sn, line.cnt, line.det_item_fee_sumamt,
                                                               is_refund=True)


def _itemised(line: FeeLine, entry, rules) -> ItemResult:
    """The item's split; a refund line's is the split of what it takes back, negated."""
    if line.init_feedetl_sn is None:
        return itemise_one(line.for_engine(), entry, rules)
    taken_back = itemise_one(replace(line.for_engine(), cnt=-line.cnt, det_item_fee_sumamt=-line.det_item_fee_sumamt),
                             entry, rules)
    return replace(taken_back, cnt=line.cnt, det_item_fee_sumamt=line.det_item_fee_sumamt,
                   fulamt_ownpay_amt=-taken_back.fulamt_ownpay_amt, overlmt_amt=-taken_back.overlmt_amt,
                   preselfpay_amt=-taken_back.preselfpay_amt, inscp_scp_amt=-taken_back.inscp_scp_amt)


def _entry(catalogue, code):
    item = catalogue.get(code)
    return None if item is None else item.for_engine()


async def cancel_fees(cmd: CancelFees, uow: AdjudicationUnitOfWork) -> Answer[int]:
    """Every cancellation of the message or none: a detail that cannot be cancelled refuses them all."""
    if not cmd.cancellations:
        raise Refused("invalid", "data: at least one fee detail to cancel is required", "data")
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        total = 0
        for item in cmd.cancellations:
            await load_admission(uow, item.mdtrt_id, cmd.acting_for, item.psn_no, lock=True)
            cancelled = await uow.admissions.cancel_fees(item.mdtrt_id, item.feedetl_sn)
            if item.feedetl_sn is not None and cancelled == 0:
                raise Refused("not_found", f"feedetl_sn {item.feedetl_sn} is not an unsettled fee detail of "
                                           f"mdtrt_id {item.mdtrt_id}", "feedetl_sn")
            total += cancelled
        return await uow.commit_answer(cmd.request, total)
