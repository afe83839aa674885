"""The gateway's sign-ins (9001 / 9002) and what admitting a call reads of a caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CallerRecords:
    """What admitting a call reads: the credentials of a paasid and the sign-in of a sign_no (each may be absent)."""

    fixmedins_code: str | None
    passtoken_encrypted: str | None
    sign_in_institution: str | None
    signed_out_at: datetime | None


@dataclass(frozen=True)
class SignIn:
    sign_no: str
    fixmedins_code: str
    opter_no: str
    signed_in_at: datetime
    signed_out_at: datetime | None
