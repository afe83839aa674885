"""Registry use cases: an institution (with its event) and a catalogue entry."""

from __future__ import annotations

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer
from medfund_adjudication.app.commands import PutCatalogueItem, RegisterInstitution
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_shared.events.types.claims import InstitutionRegistered


async def register_institution(cmd: RegisterInstitution, uow: AdjudicationUnitOfWork) -> Answer[RegisteredInstitution]:
    """Upsert; an event only when the registration is new or changed, so reloading demo data is silent."""
    async with uow:
        inst = cmd.institution
        if await uow.registry.upsert_institution(inst):
            await uow.emit(InstitutionRegistered(
                fixmedins_code=inst.fixmedins_code, name=inst.name, admdvs=inst.admdvs, level=inst.level,
                annual_budget=inst.annual_budget, budget_year=inst.budget_year), cmd.registered_at)
        return await uow.commit_answer(result=inst)


async def put_catalogue_item(cmd: PutCatalogueItem, uow: AdjudicationUnitOfWork) -> Answer[CatalogueItem]:
    async with uow:
        await uow.registry.upsert_catalogue_items([cmd.item])
        return await uow.commit_answer(result=cmd.item)
