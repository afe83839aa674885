"""The gateway's queries (5201 visits, 5203 a settlement, 5204 fee details, 5205 / 5206 accumulated figures).

A hospital sees only its own visits and settlements, and a person's accumulated figures only once the person
has visited it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.app.person_types import person_type
from medfund_adjudication.app.settle import Settled
from medfund_adjudication.domain.admission import RecordedVisit
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import Accumulators, ItemResult
from medfund_adjudication.domain.settlement.itemisation import itemise_one
from medfund_shared.china_time import business_date


@dataclass(frozen=True)
class VisitsQuery:
    fixmedins_code: str
    psn_no: str
    begin: datetime | None
    end: datetime | None
    med_type: str | None
    mdtrt_id: str | None


@dataclass(frozen=True)
class VisitView:
    visit: RecordedVisit
    coverage: Coverage | None
    psn_type: str
    """The platform's person-type code on the admission day ("" when the cover is no longer known)."""


async def visits_of(query: VisitsQuery, uow: AdjudicationUnitOfWork) -> list[VisitView]:
    async with uow:
        found = await uow.admissions.visits(query.fixmedins_code, query.psn_no, query.begin, query.end,
                                            query.med_type, query.mdtrt_id)
        views = []
        for visit in found:
            coverage = await _coverage(uow, visit.admission)
            day = business_date(visit.admission.begntime)
            views.append(VisitView(visit, coverage, await person_type(uow, coverage, day) if coverage else ""))
        return views


async def _coverage(uow: AdjudicationUnitOfWork, admission) -> Coverage | None:
    return await uow.coverage.get(admission.psn_no, admission.insutype,
                                   business_date(admission.begntime).year)


@dataclass(frozen=True)
class SettlementQuery:
    fixmedins_code: str
    psn_no: str
    setl_id: str


async def settlement_by_id(query: SettlementQuery, uow: AdjudicationUnitOfWork) -> Settled:
    async with uow:
        record = await uow.settlements.get(query.setl_id)
        if record is None or record.fixmedins_code != query.fixmedins_code:
            raise Refused("not_found", f"setl_id {query.setl_id} is not a settlement of institution "
                                       f"{query.fixmedins_code}", "setl_id")
        if record.psn_no != query.psn_no:
            raise Refused("invalid", f"psn_no {query.psn_no} is not the person of setl_id {query.setl_id}", "psn_no")
        admission = await uow.admissions.get(record.mdtrt_id)
        coverage = await _coverage(uow, admission)
        if coverage is None:
            raise Refused("not_found", f"the cover of setl_id {query.setl_id}'s person is no longer known", "setl_id")
        return Settled(record, coverage, admission, await person_type(uow, coverage, business_date(admission.begntime)))


@dataclass(frozen=True)
class FeeDetailsQuery:
    acting_for: str | None
    psn_no: str
    mdtrt_id: str
    setl_id: str | None


@dataclass(frozen=True)
class FeeDetailView:
    line: FeeLine
    setl_id: str | None
    med_type: str
    item: ItemResult


async def fee_details_of(query: FeeDetailsQuery, uow: AdjudicationUnitOfWork) -> list[FeeDetailView]:
    """The visit's details (only those of ``setl_id`` when given) with their split: as settled, or as the
    uploads answered it for details not settled yet."""
    async with uow:
        admission = await uow.admissions.get(query.mdtrt_id)
        if admission is None:
            raise Refused("not_found", f"mdtrt_id {query.mdtrt_id} is not a known admission", "mdtrt_id")
        admission.ensure_acting_for(query.acting_for)
        admission.ensure_person(query.psn_no)
        lines = [(line, setl_id) for line, setl_id in await uow.admissions.details(query.mdtrt_id)
                 if query.setl_id is None or setl_id == query.setl_id]
        settled = {(record.setl_id, item.feedetl_sn): item
                   for record in await uow.settlements.of_admission(query.mdtrt_id)
                   for item in record.result.items}
        unsettled = [line for line, setl_id in lines if setl_id is None]
        itemised = await _itemise(uow, admission, unsettled) if unsettled else {}
        return [FeeDetailView(line, setl_id, admission.med_type,
                              settled[(setl_id, line.feedetl_sn)] if setl_id else itemised[line.feedetl_sn])
                for line, setl_id in lines]


async def _itemise(uow: AdjudicationUnitOfWork, admission, lines: list[FeeLine]) -> dict[str, ItemResult]:
    coverage = await _coverage(uow, admission)
    if coverage is None:
        raise Refused("not_found", f"the cover of mdtrt_id {admission.mdtrt_id}'s person is no longer known",
                      "mdtrt_id")
    itemisation = uow.pack(coverage.admdvs, admission.insutype, business_date(admission.begntime)).itemisation
    catalogue = await uow.registry.catalogue_items({line.med_list_codg for line in lines})
    return {line.feedetl_sn: itemise_one(line.for_engine(), entry.for_engine() if (
        entry := catalogue.get(line.med_list_codg)) else None, itemisation) for line in lines}


@dataclass(frozen=True)
class AccumulatedQuery:
    fixmedins_code: str
    psn_no: str
    year: int


@dataclass(frozen=True)
class Accumulated:
    coverages: list[Coverage]
    totals: Accumulators


async def accumulated(query: AccumulatedQuery, uow: AdjudicationUnitOfWork) -> Accumulated:
    async with uow:
        if not await uow.admissions.has_visited(query.fixmedins_code, query.psn_no):
            raise Refused("forbidden", f"psn_no {query.psn_no} has no visit at institution {query.fixmedins_code}",
                          "psn_no")
        coverages = await uow.coverage.of_person(year=query.year, psn_no=query.psn_no)
        if not coverages:
            raise Refused("not_found", f"psn_no {query.psn_no} has no cover in {query.year}", "psn_no")
        return Accumulated(coverages, await uow.settlements.accumulators_of_year(query.psn_no,
                                                                                 query.year))
