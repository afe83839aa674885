"""A stored settlement or reversal: what its event, its answer and the later queries read of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from medfund_adjudication.domain.settlement import SettlementResult


@dataclass(frozen=True)
class SettlementRecord:
    """A stored settlement or reversal and what the event and answer need from it."""

    setl_id: str
    kind: str
    original_setl_id: str | None
    mdtrt_id: str
    medins_setl_id: str | None
    fixmedins_code: str
    psn_no: str
    admdvs: str
    insutype: str
    year: int
    setl_time: datetime
    setl_date: date
    result: SettlementResult
    inputs: dict | None = None
    """A settlement's canonical engine inputs (:mod:`~medfund_adjudication.domain.settlement.receipt`)."""
    receipt: str | None = None

    @property
    def pack_version(self) -> int:
        return self.result.pack_version
