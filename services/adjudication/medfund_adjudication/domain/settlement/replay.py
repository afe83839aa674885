"""A recorded settlement beside the same settlement computed again: equal or not, field by field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from medfund_adjudication.domain.settlement.result import SettlementResult
from medfund_shared.money import Money

EQUAL = "EQUAL"
DIFFERENT = "DIFFERENT"


@dataclass(frozen=True)
class FieldComparison:
    """One leaf of the result (``setldetail[0].fund_payamt``), as recorded and as computed again."""

    field: str
    recorded: Any
    replayed: Any

    @property
    def equal(self) -> bool:
        return self.recorded == self.replayed


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, Money):
        for f in fields(value):
            yield from _leaves(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)
    elif isinstance(value, tuple):
        yield f"{path}.count", len(value)
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def compare(recorded: SettlementResult, replayed: SettlementResult) -> tuple[FieldComparison, ...]:
    """Every leaf of either result, in the recorded result's order, then any only the replay has."""
    again = dict(_leaves(replayed, ""))
    compared = [FieldComparison(path, value, again.pop(path, None)) for path, value in _leaves(recorded, "")]
    return tuple(compared + [FieldComparison(path, None, value) for path, value in again.items()])


@dataclass(frozen=True)
class ReplayVerdict:
    """The receipt as recorded and as computed again from the stored inputs, and the field comparisons."""

    receipt_recorded: str
    receipt_replayed: str
    fields: tuple[FieldComparison, ...]

    @property
    def verdict(self) -> str:
        same = self.receipt_recorded == self.receipt_replayed and all(f.equal for f in self.fields)
        return EQUAL if same else DIFFERENT

    @property
    def differences(self) -> tuple[FieldComparison, ...]:
        return tuple(f for f in self.fields if not f.equal)
