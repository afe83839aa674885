"""What a settlement is computed from: the person, the institution, the visit and its fee items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from medfund_shared.money import Money
from medfund_shared.policy.ages import age_on
from medfund_shared.policy.schema import Area, Level

NO_BALANCE = Money(0)

MedType = Literal["11", "14", "21", "52"]
GENERAL_OUTPATIENT: MedType = "11"
SPECIAL_DISEASE_OUTPATIENT: MedType = "14"
INPATIENT: MedType = "21"
MATERNITY_INPATIENT: MedType = "52"
ItemClass = Literal["A", "B", "C"]


@dataclass(frozen=True)
class Person:
    admdvs: str
    insutype: str
    birth_date: date
    category: str = "adult"
    tier: str | None = None
    retired: bool = False
    account_balance: Money = NO_BALANCE


@dataclass(frozen=True)
class Institution:
    fixmedins_code: str
    admdvs: str
    level: Level


@dataclass(frozen=True)
class CatalogueEntry:
    """One line of the medical insurance catalogue (医保目录); the price ceiling is yuan per unit."""

    med_list_codg: str
    item_class: ItemClass
    price_ceiling: Decimal | None = None


@dataclass(frozen=True)
class FeeItem:
    """One uploaded fee detail (2301 ``feedetail``); unit price in yuan, amount in fen."""

    feedetl_sn: str
    med_list_codg: str
    cnt: Decimal
    pric: Decimal
    det_item_fee_sumamt: Money


@dataclass(frozen=True)
class Visit:
    person: Person
    institution: Institution
    med_type: MedType
    admission_date: date
    items: tuple[FeeItem, ...]
    referred: bool = False
    acct_used: bool = False
    disease_codes: tuple[str, ...] = ()
    deductible_applied: Money = NO_BALANCE
    """The deductible earlier settlements of the same stay already applied (a mid-stay settlement, 中途结算):
    an inpatient stay pays its deductible once, however many settlements it takes."""


def area_of(person_admdvs: str, institution_admdvs: str) -> Area:
    """Same county, same city (first four digits) or elsewhere."""
    if person_admdvs == institution_admdvs:
        return "in_county"
    if person_admdvs[:4] == institution_admdvs[:4]:
        return "in_city"
    return "out_of_city"


@dataclass(frozen=True)
class Circumstances:
    """What the rules look at, derived once from the visit."""

    age: int
    area: Area
    level: Level
    tier: str | None
    retired: bool
    referred: bool


def circumstances_of(visit: Visit) -> Circumstances:
    person = visit.person
    return Circumstances(age_on(person.birth_date, visit.admission_date),
                         area_of(person.admdvs, visit.institution.admdvs), visit.institution.level,
                         person.tier, person.retired, visit.referred)
