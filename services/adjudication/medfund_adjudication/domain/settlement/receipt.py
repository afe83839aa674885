"""A settlement's receipt: its canonical inputs, and one hash over them, the pack's content hash and the engine.

The inputs are everything :func:`settle` reads besides the pack (the visit with its person and institution, the
catalogue entries of its codes and the person's totals before it), as plain JSON: money in fen, decimals and
dates as text, keys sorted. Hashing that text with the pack's content hash and :data:`ENGINE_VERSION` names
the computation exactly; :func:`inputs_from` turns the stored inputs back into the engine's arguments, so a
settlement can be computed again and compared with what was recorded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.visit import CatalogueEntry, FeeItem, Institution, Person, Visit
from medfund_shared.canonical_json import canonical_json
from medfund_shared.money import Money

ENGINE_VERSION = "settlement-engine/1"
"""Changes whenever a change to the engine could change an amount: a receipt names the engine that computed it."""

_COUNTERS = {"outpatient_visits"}


@dataclass(frozen=True)
class SettlementInputs:
    """What the engine computes a settlement from, apart from the pack."""

    visit: Visit
    catalogue: dict[str, CatalogueEntry]
    accumulators_before: Accumulators


_MONEY, _DECIMAL, _DATE, _LIST, _DICT, _AS_IS = "money", "decimal", "date", "list", "dict", "as is"


def _plain(value: Any) -> Any:
    cls = type(value)
    if cls is Money:  # most values: before the class lookup
        return value.fen
    kind = _kind(cls)
    if kind.__class__ is tuple:
        return {name: _plain(getattr(value, name)) for name in kind}
    if kind is _AS_IS:
        return value
    if kind is _MONEY:
        return value.fen
    if kind is _LIST:
        return [_plain(v) for v in value]
    if kind is _DICT:
        return {k: _plain(v) for k, v in value.items()}
    return str(value) if kind is _DECIMAL else value.isoformat()


@cache
def _kind(cls: type) -> str | tuple[str, ...]:
    """How :func:`_plain` turns a value of ``cls`` into JSON: a dataclass as its field names, once per class
    (classifying each of a settlement's ~50 values by ``isinstance`` cost more than building the text)."""
    if issubclass(cls, Money):
        return _MONEY
    if issubclass(cls, Decimal):
        return _DECIMAL
    if issubclass(cls, date):
        return _DATE
    if issubclass(cls, (tuple, list)):
        return _LIST
    if issubclass(cls, dict):
        return _DICT
    if hasattr(cls, "__dataclass_fields__"):
        return tuple(f.name for f in fields(cls))
    return _AS_IS


def canonical(inputs: SettlementInputs) -> dict:
    """The inputs as plain JSON values (what is stored beside the settlement)."""
    return {"visit": _plain(inputs.visit), "catalogue": _plain(dict(sorted(inputs.catalogue.items()))),
            "accumulators_before": _plain(inputs.accumulators_before)}


def receipt_of(canonical_inputs: dict, pack_hash: str, engine_version: str = ENGINE_VERSION) -> str:
    """``sha256:`` and the hex digest of the canonical inputs' sorted compact JSON, the pack hash and the engine."""
    text = canonical_json({"inputs": canonical_inputs, "pack_hash": pack_hash, "engine_version": engine_version})
    return "sha256:" + hashlib.sha256(text).hexdigest()


def _decimal(raw: str | None) -> Decimal | None:
    return None if raw is None else Decimal(raw)


def inputs_from(raw: dict) -> SettlementInputs:
    """The engine's arguments from stored canonical inputs."""
    v = raw["visit"]
    p, i = v["person"], v["institution"]
    person = Person(p["admdvs"], p["insutype"], date.fromisoformat(p["birth_date"]), p["category"], p["tier"],
                    p["retired"], Money(p["account_balance"]))
    items = tuple(FeeItem(item["feedetl_sn"], item["med_list_codg"], Decimal(item["cnt"]), Decimal(item["pric"]),
                          Money(item["det_item_fee_sumamt"])) for item in v["items"])
    visit = Visit(person, Institution(i["fixmedins_code"], i["admdvs"], i["level"]), v["med_type"],
                  date.fromisoformat(v["admission_date"]), items, v["referred"], v["acct_used"],
                  tuple(v["disease_codes"]), Money(v["deductible_applied"]))
    catalogue = {code: CatalogueEntry(e["med_list_codg"], e["item_class"], _decimal(e["price_ceiling"]))
                 for code, e in raw["catalogue"].items()}
    before = Accumulators(**{name: value if name in _COUNTERS else Money(value)
                             for name, value in raw["accumulators_before"].items()})
    return SettlementInputs(visit, catalogue, before)
