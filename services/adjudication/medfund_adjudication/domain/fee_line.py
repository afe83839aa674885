"""A fee detail as the hospital uploaded it (2204), and the engine's view of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from medfund_adjudication.domain.settlement import FeeItem
from medfund_shared.money import Money


@dataclass(frozen=True)
class FeeLine:
    """One uploaded fee detail as the hospital sent it."""

    feedetl_sn: str
    mdtrt_id: str
    psn_no: str
    med_list_codg: str
    medins_list_codg: str | None
    fee_ocur_time: datetime | None
    cnt: Decimal
    pric: Decimal
    det_item_fee_sumamt: Money
    init_feedetl_sn: str | None = None
    """On a refund line (negative ``cnt`` and amount): the detail of the same visit it refunds."""

    def for_engine(self) -> FeeItem:
        return FeeItem(self.feedetl_sn, self.med_list_codg, self.cnt, self.pric, self.det_item_fee_sumamt)
