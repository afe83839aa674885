"""Admission (2401 / 2201) and discharge (2402): who, where, when, and whether they are covered then."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer
from medfund_adjudication.app.commands import Admit, Discharge
from medfund_adjudication.app.identifiers import ADMISSION, new_id
from medfund_adjudication.domain.admission import Admission, ensure_med_type
from medfund_adjudication.domain.coverage import covered_on
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.china_time import business_date


@dataclass(frozen=True)
class Admitted:
    mdtrt_id: str
    psn_no: str
    ipt_otp_no: str | None


async def load_admission(uow: AdjudicationUnitOfWork, mdtrt_id: str, acting_for: str | None, psn_no: str,
                         *, lock: bool = False) -> Admission:
    admission = await uow.admissions.get(mdtrt_id, lock=lock)
    if admission is None:
        raise Refused("not_found", f"mdtrt_id {mdtrt_id} is not a known admission", "mdtrt_id")
    admission.ensure_acting_for(acting_for)
    admission.ensure_person(psn_no)
    admission.ensure_open()
    return admission


async def admit(cmd: Admit, uow: AdjudicationUnitOfWork) -> Answer[Admitted]:
    ensure_med_type(cmd.med_type, cmd.allowed_med_types)
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        if await uow.registry.get_institution(cmd.fixmedins_code) is None:
            raise Refused("not_found", f"institution {cmd.fixmedins_code} is not registered", "fixmedins_code")
        day = business_date(cmd.begntime)
        covered_on(await uow.coverage.get(cmd.psn_no, cmd.insutype, day.year),
                   cmd.psn_no, cmd.insutype, day)
        admission = Admission(new_id(ADMISSION), cmd.psn_no, cmd.insutype, cmd.fixmedins_code,
                              cmd.med_type, cmd.begntime, cmd.referred, cmd.disease_codes,
                              mdtrt_cert_type=cmd.mdtrt_cert_type)
        await uow.admissions.add(admission, cmd.ipt_otp_no)
        return await uow.commit_answer(cmd.request, Admitted(admission.mdtrt_id, admission.psn_no, cmd.ipt_otp_no))


async def discharge(cmd: Discharge, uow: AdjudicationUnitOfWork) -> Answer[Admission]:
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        admission = await load_admission(uow, cmd.mdtrt_id, cmd.acting_for, cmd.psn_no, lock=True)
        if cmd.endtime < admission.begntime:
            raise Refused("invalid", f"endtime {cmd.endtime:%Y-%m-%d %H:%M:%S} is before the admission's begntime",
                          "endtime")
        await uow.admissions.discharge(cmd.mdtrt_id, cmd.endtime, cmd.dscg_way)
        return await uow.commit_answer(cmd.request, admission)
