"""What a settlement reads, in as few round trips as the locking allows.

Before the accumulator lock: the admission, its institution, the person's coverage rows, whether
the sender's settlement id was used and the request key's stored answer, in one query. After the lock
(so that a concurrent settlement of the same admission is seen): the unsettled fee details with their
catalogue entries, in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Text, and_, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.admission_repo import admission_of
from medfund_adjudication.adapters.coverage_repo import from_row
from medfund_adjudication.adapters.registry_repo import institution_of
from medfund_adjudication.adapters.tables import (
    admissions,
    catalogue,
    coverage,
    fee_details,
    institutions,
    requests,
    settlements,
)
from medfund_adjudication.domain.admission import Admission
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_adjudication.domain.settlement import FeeItem
from medfund_shared.money import Money


@dataclass(frozen=True)
class AdmissionContext:
    admission: Admission
    institution: RegisteredInstitution
    coverages: dict[int, Coverage]
    """The person's coverage under the admission's scheme, by insurance year."""
    medins_setl_id_used: bool
    stored_request: tuple[str, str] | None = None
    """``(digest, answer)`` when the request's key was already answered."""


def _prefixed(table, prefix: str) -> list:
    return [c.label(f"{prefix}{c.name}") for c in table.c]


def _unprefixed(row, table, prefix: str) -> SimpleNamespace:
    return SimpleNamespace(**{c.name: row._mapping[f"{prefix}{c.name}"] for c in table.c})


_USED = exists().where(settlements.c.fixmedins_code == admissions.c.fixmedins_code,
                      settlements.c.medins_setl_id == bindparam("medins_setl_id", type_=Text))
_CONTEXT = (select(admissions, *_prefixed(institutions, "i_"), *_prefixed(coverage, "c_"), _USED.label("used"),
                   requests.c.digest.label("request_digest"), requests.c.answer.label("request_answer"))
            .join(institutions, institutions.c.fixmedins_code == admissions.c.fixmedins_code)
            .outerjoin(coverage, and_(coverage.c.psn_no == admissions.c.psn_no,
                                      coverage.c.insutype == admissions.c.insutype))
            .outerjoin(requests, and_(requests.c.key == bindparam("request_key", type_=Text),
                                      requests.c.answer.is_not(None)))
            .where(admissions.c.mdtrt_id == bindparam("mdtrt_id")))
"""Built once with bound parameters (the hot path): a NULL settlement id or request key matches nothing."""


async def admission_context(session: AsyncSession, mdtrt_id: str, medins_setl_id: str | None,
                            request_key: str | None = None) -> AdmissionContext | None:
    """The admission's context and, with ``request_key``, that key's stored answer (a retry costs no extra trip)."""
    rows = (await session.execute(_CONTEXT, {"mdtrt_id": mdtrt_id, "medins_setl_id": medins_setl_id,
                                             "request_key": request_key})).all()
    if not rows:
        return None
    first = rows[0]
    coverages = {r.c_year: from_row(_unprefixed(r, coverage, "c_")) for r in rows if r.c_year is not None}
    stored = (first.request_digest, first.request_answer) if first.request_digest is not None else None
    return AdmissionContext(admission_of(first), institution_of(_unprefixed(first, institutions, "i_")), coverages,
                            bool(first.used), stored)


_UNSETTLED = (select(fee_details, catalogue.c.name, catalogue.c.item_class, catalogue.c.pric_uplmt_amt,
                     (catalogue.c.med_list_codg.is_not(None)).label("listed"))
              .outerjoin(catalogue, catalogue.c.med_list_codg == fee_details.c.med_list_codg)
              .where(fee_details.c.mdtrt_id == bindparam("mdtrt_id"), fee_details.c.cancelled.is_(False),
                     fee_details.c.setl_id.is_(None))
              .order_by(fee_details.c.feedetl_sn))


async def unsettled_fees(session: AsyncSession, mdtrt_id: str) -> tuple[list[FeeItem], dict[str, CatalogueItem]]:
    """The admission's unsettled details in serial order and the catalogue entries of their codes."""
    items, entries = [], {}
    for r in await session.execute(_UNSETTLED, {"mdtrt_id": mdtrt_id}):
        items.append(FeeItem(r.feedetl_sn, r.med_list_codg, r.cnt, r.pric, Money(r.det_item_fee_sumamt_fen)))
        if r.listed:
            entries[r.med_list_codg] = CatalogueItem(r.med_list_codg, r.name, r.item_class, r.pric_uplmt_amt)
    return items, entries
