"""Registry endpoints (admin): institutions and catalogue entries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field, model_validator

from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.api.http_errors import lost_races_as_conflicts
from medfund_adjudication.app.commands import PutCatalogueItem, RegisterInstitution
from medfund_adjudication.app.gateway_access import SetCredentials, set_credentials
from medfund_adjudication.app.registry import put_catalogue_item, register_institution
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_shared.auth import AdminPrincipal
from medfund_shared.business_range import BusinessYear
from medfund_shared.context import ContextDep
from medfund_shared.money import YuanAmount
from medfund_shared.text_fields import text_of_at_most

router = APIRouter(prefix="/v1", tags=["registry"])
Code = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,30}$")]


class InstitutionPut(BaseModel):
    name: Annotated[text_of_at_most(200), Field(min_length=1)]
    admdvs: str = Field(pattern=r"^[0-9]{6}$")
    level: Literal["primary", "secondary", "tertiary"]
    annual_budget: YuanAmount = Field(description="global budget (总额控制) of ``budget_year``; not negative")
    budget_year: BusinessYear | None = Field(default=None, description="the one year annual_budget applies to; "
                                             "without it the registration sets no year's budget")

    @model_validator(mode="after")
    def _budget_not_negative(self) -> InstitutionPut:
        if self.annual_budget.fen < 0:
            raise ValueError("annual_budget must not be negative")
        return self


class InstitutionPublic(InstitutionPut):
    fixmedins_code: str


class InstitutionWithCredentials(InstitutionPut):
    """The registration and, optionally, the gateway signature credentials (write-only: never returned)."""

    paasid: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="x-tif-paasid")
    passtoken: str | None = Field(default=None, min_length=16, max_length=128, repr=False,
                                  description="the signature's shared secret; stored encrypted, never returned")

    @model_validator(mode="after")
    def _both_or_neither(self) -> InstitutionWithCredentials:
        if (self.paasid is None) != (self.passtoken is None):
            raise ValueError("paasid and passtoken are set together")
        return self


class CataloguePut(BaseModel):
    name: Annotated[text_of_at_most(200), Field(min_length=1)]
    class_: Literal["A", "B", "C"] = Field(alias="class")
    pric_uplmt_amt: Decimal | None = Field(default=None, ge=0, decimal_places=4)


@router.put("/institutions/{fixmedins_code}", response_model=InstitutionPublic)
async def put_institution(fixmedins_code: Code, body: InstitutionWithCredentials, _: AdminPrincipal,
                          context: ContextDep) -> InstitutionPublic:
    """Register or change a designated institution (emits institution.registered when it changed); with
    ``paasid`` and ``passtoken``, set the credentials its HIS signs gateway requests with (409 when the paasid
    belongs to another institution). The credentials are never returned."""
    institution = RegisteredInstitution(fixmedins_code, body.name, body.admdvs, body.level, body.annual_budget,
                                        body.budget_year)
    await register_institution(RegisterInstitution(institution, datetime.now(UTC)), UnitOfWork(context))
    if body.paasid is not None and body.passtoken is not None:
        with lost_races_as_conflicts():
            await set_credentials(SetCredentials(fixmedins_code, body.paasid, body.passtoken), UnitOfWork(context))
    return InstitutionPublic(fixmedins_code=fixmedins_code,
                             **body.model_dump(include=set(InstitutionPut.model_fields)))


class CatalogueEntryPublic(BaseModel):
    med_list_codg: str
    name: str
    class_: Literal["A", "B", "C"] = Field(alias="class")
    pric_uplmt_amt: str | None = Field(description="the unit price ceiling in yuan, as a decimal string")


@router.put("/catalogue/{med_list_codg}", responses={200: {"model": CatalogueEntryPublic}})
async def put_catalogue(med_list_codg: Code, body: CataloguePut, _: AdminPrincipal, context: ContextDep) -> dict:
    """Add or change a catalogue entry: class A/B/C and an optional unit price ceiling (yuan)."""
    item = CatalogueItem(med_list_codg, body.name, body.class_, body.pric_uplmt_amt)
    await put_catalogue_item(PutCatalogueItem(item), UnitOfWork(context))
    return {"med_list_codg": med_list_codg, "name": item.name, "class": item.item_class,
            "pric_uplmt_amt": None if item.pric_uplmt_amt is None else str(item.pric_uplmt_amt)}
