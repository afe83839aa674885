"""Builders for settlement tests: the shipped packs, a small catalogue and visits written in yuan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from medfund_adjudication.domain.settlement import CatalogueEntry, FeeItem, Institution, Person, Visit
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

CATALOGUE = {
    "A": CatalogueEntry("A", "A"),
    "B": CatalogueEntry("B", "B"),
    "C": CatalogueEntry("C", "C"),
    "B-CEILING-90": CatalogueEntry("B-CEILING-90", "B", price_ceiling=Decimal(90)),
}

SCHEME_OF = {"211302": "390", "330326": "390", "500240": "390", "321100": "310"}


@pytest.fixture(scope="session")
def packs() -> PackSet:
    return PackSet.load()


@pytest.fixture(scope="session")
def catalogue() -> dict[str, CatalogueEntry]:
    return CATALOGUE


def fee(sn: str, code: str, yuan: str, cnt: str = "1") -> FeeItem:
    amount = Money.from_yuan(yuan)
    return FeeItem(sn, code, Decimal(cnt), amount.to_decimal() / Decimal(cnt), amount)


def visit(admdvs: str, med_type: str, items: list[FeeItem], *, level: str = "secondary",
          institution_admdvs: str | None = None, on: date = date(2026, 3, 1), born: date = date(1976, 1, 1),
          category: str = "adult", tier: str | None = None, retired: bool = False, balance: str = "0",
          referred: bool = False, acct_used: bool = False, disease_codes: tuple[str, ...] = ()) -> Visit:
    person = Person(admdvs, SCHEME_OF[admdvs], born, category, tier, retired, Money.from_yuan(balance))
    institution = Institution("H" + (institution_admdvs or admdvs), institution_admdvs or admdvs, level)
    return Visit(person, institution, med_type, on, tuple(items), referred, acct_used, disease_codes)


def yuan(text: str) -> Money:
    return Money.from_yuan(text)


@pytest.fixture(scope="session")
def build() -> SimpleNamespace:
    """The builders as one fixture, so test modules need no imports from this file."""
    return SimpleNamespace(fee=fee, visit=visit, yuan=yuan)
