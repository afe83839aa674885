"""What callers ask of the service; the gateway and the native API build the same commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from medfund_adjudication.adapters.uow import RequestKey
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_adjudication.domain.reconciliation import Totals
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_shared.money import Money


@dataclass(frozen=True)
class RegisterInstitution:
    institution: RegisteredInstitution
    registered_at: datetime


@dataclass(frozen=True)
class PutCatalogueItem:
    item: CatalogueItem


@dataclass(frozen=True)
class Admit:
    """``acting_for`` is the caller's institution, None for an administrator (acts for anyone)."""

    fixmedins_code: str
    psn_no: str
    insutype: str
    med_type: str
    begntime: datetime
    referred: bool
    ipt_otp_no: str | None
    disease_codes: tuple[str, ...]
    allowed_med_types: tuple[str, ...]
    request: RequestKey | None = None
    mdtrt_cert_type: str | None = None


@dataclass(frozen=True)
class UploadFees:
    acting_for: str | None
    lines: tuple[FeeLine, ...]
    request: RequestKey | None = None


@dataclass(frozen=True)
class FeeCancellation:
    mdtrt_id: str
    psn_no: str
    feedetl_sn: str | None
    """None cancels every unsettled detail (NHSA ``"0000"``)."""


@dataclass(frozen=True)
class CancelFees:
    acting_for: str | None
    cancellations: tuple[FeeCancellation, ...]
    request: RequestKey | None = None


@dataclass(frozen=True)
class Discharge:
    acting_for: str | None
    mdtrt_id: str
    psn_no: str
    endtime: datetime
    dscg_way: str | None
    request: RequestKey | None = None


@dataclass(frozen=True)
class Settle:
    acting_for: str | None
    mdtrt_id: str
    psn_no: str
    insutype: str | None
    medfee_sumamt: Money
    acct_used: bool
    medins_setl_id: str | None
    setl_time: datetime
    record: bool = True
    """False is a pre-settlement (2303): the same answer, nothing recorded."""
    request: RequestKey | None = None
    mid_setl: bool = False
    """A mid-stay settlement (``mid_setl_flag`` 1): an inpatient stay settled before its discharge."""


@dataclass(frozen=True)
class Reverse:
    acting_for: str | None
    mdtrt_id: str
    setl_id: str
    psn_no: str
    reversed_at: datetime
    request: RequestKey | None = None


@dataclass(frozen=True)
class PersonInfo:
    on: date
    psn_no: str | None = None
    certno: str | None = None
    ssc_no: str | None = None
    """The social security card number (``mdtrt_cert_type`` 03)."""


@dataclass(frozen=True)
class Reconcile:
    fixmedins_code: str
    insutype: str | None
    setl_optins: str | None
    begin: date
    end: date
    theirs: Totals
    with_reversals: bool = False
    """``refd_setl_flag`` 1: reversal records count too."""
