"""Fee details for each kind of encounter, priced from the county catalogue.

Items use codes of the adjudication service's demo catalogue with their class and price ceiling;
the demo registers the same entries so any stack knows them. Prices stay within the ceilings
except for the imported devices of very expensive cases (class C, paid in full by the patient).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from medfund_shared.money import Money


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    item_class: str
    ceiling: str | None
    price: str


@dataclass(frozen=True)
class FeeLine:
    item: Item
    cnt: int

    @property
    def amount(self) -> Money:
        return Money.from_yuan(self.item.price).times(Decimal(self.cnt))


CATALOGUE = {item.code: item for item in (
    Item("B000", "普通病床", "A", "30.00", "30.00"),
    Item("B003", "重症监护床位", "A", "200.00", "200.00"),
    Item("0000000000", "血常规", "A", "15.00", "15.00"),
    Item("0002000000", "肝功能", "A", None, "45.00"),
    Item("0003000000", "肾功能", "A", "60.00", "60.00"),
    Item("0005000000", "胸部CT平扫", "A", None, "180.00"),
    Item("0007000000", "心电图", "A", None, "25.00"),
    Item("0008000000", "腹部B超", "A", None, "80.00"),
    Item("X000101", "头孢克肟片 0.5g*12片", "A", None, "12.50"),
    Item("X001101", "头孢曲松钠注射剂 0.5g*12片", "A", "23.00", "23.00"),
    Item("X000200", "布洛芬缓释胶囊 0.25g*24粒", "B", None, "18.60"),
    Item("X000601", "硝苯地平控释片 0.5g*12片", "B", None, "32.00"),
    Item("X000100", "头孢克肟片 0.25g*24粒", "C", None, "28.00"),
    Item("X002800", "恩替卡韦分散片 0.25g*24粒", "A", "125.00", "125.00"),
    Item("C000000", "一次性输液器(国产)", "B", "100.00", "8.50"),
    Item("C000401", "心脏支架(进口)", "C", None, "12000.00"),
)}
OUTPATIENT = (("X000101", 1, 4), ("X000200", 1, 3), ("0000000000", 0, 1), ("X000601", 0, 2))
INPATIENT_TESTS = ("0000000000", "0002000000", "0003000000", "0007000000")
LEVEL_COST = {"primary": (1_500, 4_000), "secondary": (4_000, 11_000), "tertiary": (9_000, 28_000)}
LENGTH_OF_STAY = {"primary": (4, 8), "secondary": (6, 10), "tertiary": (8, 14)}


def outpatient(rng: random.Random) -> list[FeeLine]:
    """A township clinic visit: a few drugs and sometimes a blood count (about 30-200 yuan)."""
    lines = [FeeLine(CATALOGUE[code], rng.randint(low, high)) for code, low, high in OUTPATIENT]
    return [line for line in lines if line.cnt] or [FeeLine(CATALOGUE["X000101"], 2)]


def inpatient(rng: random.Random, level: str) -> tuple[int, list[FeeLine]]:
    """(length of stay, fee lines) of an ordinary admission at ``level``."""
    stay = rng.randint(*LENGTH_OF_STAY[level])
    target = Decimal(rng.randint(*LEVEL_COST[level]))
    return stay, _stay(rng, stay, target, bed="B000", scan="0005000000")


def maternity(rng: random.Random) -> tuple[int, list[FeeLine]]:
    """A delivery: 3-5 days, ultrasound, about 3,000-6,000 yuan."""
    stay = rng.randint(3, 5)
    return stay, _stay(rng, stay, Decimal(rng.randint(3_000, 6_000)), bed="B000", scan="0008000000")


def expensive(rng: random.Random) -> tuple[int, list[FeeLine]]:
    """A very expensive case: weeks in intensive care and an imported device (150,000-400,000 yuan)."""
    stay = rng.randint(20, 40)
    lines = _stay(rng, stay, Decimal(rng.randint(150_000, 400_000)), bed="B003", scan="0005000000")
    return stay, lines + [FeeLine(CATALOGUE["C000401"], rng.randint(1, 2))]


def total(lines: list[FeeLine]) -> Money:
    return sum((line.amount for line in lines), Money.zero())


def _stay(rng: random.Random, stay: int, target: Decimal, bed: str, scan: str) -> list[FeeLine]:
    """Bed days, tests and a scan, then drugs and devices filling up to about ``target`` yuan."""
    lines = [FeeLine(CATALOGUE[bed], stay), FeeLine(CATALOGUE[scan], 1),
             FeeLine(CATALOGUE["C000000"], stay * 2)]
    lines += [FeeLine(CATALOGUE[code], rng.randint(1, 3)) for code in INPATIENT_TESTS]
    remaining = target - total(lines).to_decimal()
    shares = (("X001101", Decimal("0.30")), ("X002800", Decimal("0.30")), ("X000200", Decimal("0.15")),
              ("X000601", Decimal("0.15")), ("X000100", Decimal("0.10")))
    for code, share in shares:
        price = Decimal(CATALOGUE[code].price)
        count = int(max(remaining, Decimal(0)) * share / price)
        if count:
            lines.append(FeeLine(CATALOGUE[code], count))
    return lines
