"""The shipped demo registry and catalogue (package data), loaded at startup; reloading changes nothing."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources

from medfund_adjudication.adapters import registry_repo
from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.app.commands import RegisterInstitution
from medfund_adjudication.app.registry import register_institution
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_shared.context import ServiceContext
from medfund_shared.money import Money

DEMO = resources.files("medfund_adjudication.adapters.demo")


def demo_institutions() -> list[RegisteredInstitution]:
    rows = json.loads((DEMO / "institutions.json").read_text(encoding="utf-8"))
    return [RegisteredInstitution(r["fixmedins_code"], r["name"], r["admdvs"], r["level"],
                                  Money.from_yuan(r["annual_budget"])) for r in rows]


def demo_catalogue() -> list[CatalogueItem]:
    with (DEMO / "catalogue.csv").open(encoding="utf-8") as f:
        return [CatalogueItem(r["med_list_codg"], r["name"], r["class"],
                              Decimal(r["pric_uplmt_amt"]) if r["pric_uplmt_amt"] else None)
                for r in csv.DictReader(f)]


async def load_demo_registry(context: ServiceContext) -> None:
    """Upsert; an institution event only for a new or changed registration."""
    now = datetime.now(UTC)
    for institution in demo_institutions():
        await register_institution(RegisterInstitution(institution, now), UnitOfWork(context))
    async with context.session_factory() as session:
        await registry_repo.RegistryRepository(session).upsert_catalogue_items(demo_catalogue())
        await session.commit()
