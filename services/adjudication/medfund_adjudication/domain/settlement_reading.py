"""What a settlement is computed from: the admission's context and the person's state, as one reading gives them
(:mod:`medfund_adjudication.adapters.settling`)."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_adjudication.domain.admission import Admission
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_adjudication.domain.settlement import Accumulators, FeeItem
from medfund_shared.money import Money


@dataclass(frozen=True)
class AdmissionContext:
    admission: Admission
    institution: RegisteredInstitution
    coverage: Coverage | None
    """The person's coverage under the admission's scheme in the insurance year of its admission day."""
    medins_setl_id_used: bool
    stored_request: tuple[str, str] | None = None
    """``(digest, answer)`` when the request's key was already answered."""


@dataclass(frozen=True)
class PersonState:
    """What a settlement is computed from."""

    accumulators: Accumulators
    """The person's totals in the insurance year of the admission day."""
    version: int
    """The accumulators' version; 0 for a year without totals yet (they are zero)."""
    balance: Money
    retired: bool
    lines: list[tuple[FeeItem, str | None]]
    """The admission's unsettled, uncancelled fee details in serial order, each with the ``init_feedetl_sn`` of a
    refund line (None for a detail)."""
    catalogue: dict[str, CatalogueItem]
    """The catalogue entries of their codes."""
    stay_deductible: Money = Money(0)
    """The deductible the stay's earlier settlements (mid-stay settlements, net of reversals) already applied."""
