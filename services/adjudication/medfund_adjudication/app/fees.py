"""Fee details: upload (2301 / 2204) answers each item's split; cancel (2302) frees unsettled ones."""

from __future__ import annotations

from medfund_adjudication.adapters import admission_repo, coverage_repo, registry_repo
from medfund_adjudication.adapters.uow import Answer, UnitOfWork
from medfund_adjudication.app.admission import load_admission
from medfund_adjudication.app.commands import CancelFees, UploadFees
from medfund_adjudication.app.times import business_date
from medfund_adjudication.domain.coverage import covered_on
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import ItemResult
from medfund_adjudication.domain.settlement.itemisation import itemise_one


async def upload_fees(cmd: UploadFees, uow: UnitOfWork) -> Answer[list[ItemResult]]:
    if not cmd.lines:
        raise Refused("invalid", "feedetail: at least one fee detail is required", "feedetail")
    keys = [(line.mdtrt_id, line.feedetl_sn) for line in cmd.lines]
    if len(set(keys)) != len(keys):
        raise Refused("invalid", "feedetail: a feedetl_sn appears twice for one mdtrt_id", "feedetl_sn")
    async with uow:
        if (replay := await uow.replay(cmd.request)) is not None:
            return replay
        admissions = await admission_repo.get_many(uow.session, {line.mdtrt_id for line in cmd.lines})
        itemisation = {}
        for mdtrt_id in sorted({line.mdtrt_id for line in cmd.lines}):
            admission = admissions.get(mdtrt_id)
            if admission is None:
                raise Refused("not_found", f"mdtrt_id {mdtrt_id} is not a known admission", "mdtrt_id")
            admission.ensure_acting_for(cmd.acting_for)
            admission.ensure_open()
            day = business_date(admission.begntime)
            coverage = covered_on(await coverage_repo.get(uow.session, admission.psn_no, admission.insutype, day.year),
                                  admission.psn_no, admission.insutype, day)
            itemisation[mdtrt_id] = uow.pack(coverage.admdvs, admission.insutype, day).itemisation
        for line in cmd.lines:
            admissions[line.mdtrt_id].ensure_person(line.psn_no)
        if duplicates := await admission_repo.existing_serials(uow.session, keys):
            mdtrt_id, sn = sorted(duplicates)[0]
            raise Refused("conflict", f"feedetl_sn {sn} of mdtrt_id {mdtrt_id} is already uploaded", "feedetl_sn")
        catalogue = await registry_repo.catalogue_items(uow.session, {line.med_list_codg for line in cmd.lines})
        results = [itemise_one(line.for_engine(), _entry(catalogue, line.med_list_codg), itemisation[line.mdtrt_id])
                   for line in cmd.lines]
        await admission_repo.add_fees(uow.session, list(cmd.lines), cmd.request.key if cmd.request else None)
        return await uow.commit(cmd.request, results)


def _entry(catalogue, code):
    item = catalogue.get(code)
    return None if item is None else item.for_engine()


async def cancel_fees(cmd: CancelFees, uow: UnitOfWork) -> Answer[int]:
    async with uow:
        if (replay := await uow.replay(cmd.request)) is not None:
            return replay
        await load_admission(uow, cmd.mdtrt_id, cmd.acting_for, cmd.psn_no, lock=True)
        cancelled = await admission_repo.cancel_fees(uow.session, cmd.mdtrt_id, cmd.feedetl_sn)
        if cmd.feedetl_sn is not None and cancelled == 0:
            raise Refused("not_found", f"feedetl_sn {cmd.feedetl_sn} is not an unsettled fee detail of "
                                       f"mdtrt_id {cmd.mdtrt_id}", "feedetl_sn")
        return await uow.commit(cmd.request, cancelled)
