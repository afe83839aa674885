"""Institutions and catalogue entries in the database (upserts that report whether anything changed)."""

from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.tables import catalogue, institutions
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_shared.money import Money


def institution_of(row) -> RegisteredInstitution:
    return RegisteredInstitution(row.fixmedins_code, row.name, row.admdvs, row.level, Money(row.annual_budget_fen),
                                 row.budget_year)


class RegistryRepository:
    """Institutions and catalogue entries, on the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_institution(self, fixmedins_code: str) -> RegisteredInstitution | None:
        query = select(institutions).where(institutions.c.fixmedins_code == fixmedins_code)
        row = (await self._session.execute(query)).first()
        return None if row is None else institution_of(row)

    async def upsert_institution(self, inst: RegisteredInstitution) -> bool:
        """Insert or update; True when the stored registration changed (then it deserves an event)."""
        values = {"fixmedins_code": inst.fixmedins_code, "name": inst.name, "admdvs": inst.admdvs, "level": inst.level,
                  "annual_budget_fen": inst.annual_budget.fen, "budget_year": inst.budget_year}
        stmt = pg_insert(institutions).values(values)
        changed = tuple_(institutions.c.name, institutions.c.admdvs, institutions.c.level,
                         institutions.c.annual_budget_fen, institutions.c.budget_year).is_distinct_from(
            tuple_(stmt.excluded.name, stmt.excluded.admdvs, stmt.excluded.level, stmt.excluded.annual_budget_fen,
                   stmt.excluded.budget_year))
        stmt = stmt.on_conflict_do_update(index_elements=["fixmedins_code"], where=changed,
                                          set_={k: stmt.excluded[k] for k in values if k != "fixmedins_code"})
        result = await self._session.execute(stmt.returning(institutions.c.fixmedins_code))
        return result.first() is not None

    async def upsert_catalogue_items(self, items: list[CatalogueItem]) -> None:
        if not items:
            return
        stmt = pg_insert(catalogue).values([{"med_list_codg": i.med_list_codg, "name": i.name,
                                             "item_class": i.item_class,
                                             "pric_uplmt_amt": i.pric_uplmt_amt} for i in items])
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=["med_list_codg"],
            set_={"name": stmt.excluded.name, "item_class": stmt.excluded.item_class,
                  "pric_uplmt_amt": stmt.excluded.pric_uplmt_amt}))

    async def catalogue_items(self, codes: set[str]) -> dict[str, CatalogueItem]:
        if not codes:
            return {}
        rows = await self._session.execute(select(catalogue).where(catalogue.c.med_list_codg.in_(codes)))
        return {r.med_list_codg: CatalogueItem(r.med_list_codg, r.name, r.item_class, r.pric_uplmt_amt) for r in rows}
