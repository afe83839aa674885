"""Registry use cases: an institution (with its event) and a catalogue entry."""

from __future__ import annotations

from medfund_adjudication.adapters import registry_repo
from medfund_adjudication.adapters.uow import Answer, UnitOfWork
from medfund_adjudication.app.commands import PutCatalogueItem, RegisterInstitution
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_shared import outbox
from medfund_shared.events import sources
from medfund_shared.events.types.claims import InstitutionRegistered


async def register_institution(cmd: RegisterInstitution, uow: UnitOfWork) -> Answer[RegisteredInstitution]:
    """Upsert; an event only when the registration is new or changed, so reloading demo data is silent."""
    async with uow:
        inst = cmd.institution
        if await registry_repo.upsert_institution(uow.session, inst):
            await outbox.add(uow.session, InstitutionRegistered(
                fixmedins_code=inst.fixmedins_code, name=inst.name, admdvs=inst.admdvs, level=inst.level,
                annual_budget=inst.annual_budget, budget_year=inst.budget_year),
                source=sources.ADJUDICATION, effective_time=cmd.registered_at)
        return await uow.commit(result=inst)


async def put_catalogue_item(cmd: PutCatalogueItem, uow: UnitOfWork) -> Answer[CatalogueItem]:
    async with uow:
        await registry_repo.upsert_catalogue_items(uow.session, [cmd.item])
        return await uow.commit(result=cmd.item)
