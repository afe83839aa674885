"""An admission (or outpatient visit) and the rules on who may act on it and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medfund_adjudication.domain.refusal import Refused

INPATIENT_MED_TYPES = ("21", "52")
MID_STAY_MED_TYPES = ("21",)
"""Stays that may be settled before discharge (中途结算); a maternity stay's flat amount is paid once, at the end."""
OUTPATIENT_MED_TYPES = ("11", "14")


@dataclass(frozen=True)
class Admission:
    mdtrt_id: str
    psn_no: str
    insutype: str
    fixmedins_code: str
    med_type: str
    begntime: datetime
    referred: bool
    disease_codes: tuple[str, ...]
    endtime: datetime | None = None
    cancelled_at: datetime | None = None
    """Set when a 2601 reversed the registration: nothing more may happen on it."""
    mdtrt_cert_type: str | None = None
    """The credential the person was admitted with (NHSA ``mdtrt_cert_type``), when the hospital said."""

    def ensure_acting_for(self, acting_for: str | None) -> None:
        """A hospital acts only on its own admissions; ``None`` is an administrator acting for anyone."""
        if acting_for is not None and acting_for != self.fixmedins_code:
            raise Refused("forbidden", f"not authorised for mdtrt_id {self.mdtrt_id}: it belongs to another "
                                       f"institution", "mdtrt_id")

    def ensure_open(self) -> None:
        if self.cancelled_at is not None:
            raise Refused("invalid", f"mdtrt_id {self.mdtrt_id} was cancelled by a 2601 reversal", "mdtrt_id")

    def ensure_person(self, psn_no: str) -> None:
        if psn_no != self.psn_no:
            raise Refused("invalid", f"psn_no {psn_no} is not the person of mdtrt_id {self.mdtrt_id}", "psn_no")


def ensure_med_type(med_type: str, allowed: tuple[str, ...]) -> None:
    if med_type not in allowed:
        raise Refused("invalid", f"med_type must be one of {', '.join(allowed)} for this transaction", "med_type")


def ensure_settleable(admission: Admission, mid_stay: bool) -> None:
    """An inpatient stay settles after its discharge (2402), or before it when the hospital asks for a mid-stay
    settlement (``mid_setl_flag`` 1); an outpatient visit has no discharge."""
    if admission.med_type not in INPATIENT_MED_TYPES or admission.endtime is not None:
        return
    if not mid_stay:
        raise Refused("invalid", f"mdtrt_id {admission.mdtrt_id} has no discharge (2402) yet: discharge first, or "
                                 "set mid_setl_flag 1 to settle the fees uploaded so far", "mid_setl_flag")
    if admission.med_type not in MID_STAY_MED_TYPES:
        raise Refused("invalid", f"mdtrt_id {admission.mdtrt_id}: med_type {admission.med_type} is settled once, "
                                 "after discharge (2402); no mid-stay settlement", "mid_setl_flag")


@dataclass(frozen=True)
class RecordedVisit:
    """An admission with what the 5201 answer shows beyond the engine's view of it."""

    admission: Admission
    ipt_otp_no: str | None
    dscg_way: str | None
