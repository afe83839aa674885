"""The institution registry and the insurance catalogue (医保目录) entries the settlement engine reads."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medfund_adjudication.domain.settlement import CatalogueEntry, Institution
from medfund_shared.money import Money

LEVELS = ("primary", "secondary", "tertiary")
ITEM_CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class RegisteredInstitution:
    fixmedins_code: str
    name: str
    admdvs: str
    level: str
    annual_budget: Money
    budget_year: int | None = None
    """The one year ``annual_budget`` (总额控制) applies to; None: no year's budget."""

    def for_engine(self) -> Institution:
        return Institution(self.fixmedins_code, self.admdvs, self.level)


@dataclass(frozen=True)
class CatalogueItem:
    med_list_codg: str
    name: str
    item_class: str
    pric_uplmt_amt: Decimal | None

    def for_engine(self) -> CatalogueEntry:
        return CatalogueEntry(self.med_list_codg, self.item_class, self.pric_uplmt_amt)
