"""2601 (冲正): a HIS that timed out takes back what one of its earlier messages did, naming it by msgid.

The original is found by the answer stored for its msgid (the idempotency store): a settlement (2304 / 2207) is
reversed as by 2305 / 2208, an upload (2301 / 2204) is cancelled as by 2302, a registration (2401 / 2201) is
cancelled while nothing on it is settled. Only answered messages are recorded: one that was refused changed
nothing and has nothing to reverse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer, RequestKey
from medfund_adjudication.app.admission import load_admission
from medfund_adjudication.domain.refusal import Refused

SETTLEMENTS = ("2304", "2207")
UPLOADS = ("2301", "2204")
REGISTRATIONS = ("2401", "2201")
REVERSIBLE = SETTLEMENTS + UPLOADS + REGISTRATIONS


@dataclass(frozen=True)
class Original:
    """What the earlier message answered (its ``output``), found by its request key."""

    key: str
    """``scope:msgid``: how the fee details it uploaded name it."""
    omsgid: str
    oinfno: str
    output: dict


async def original(scope: str, omsgid: str, oinfno: str, uow: AdjudicationUnitOfWork) -> Original:
    if oinfno not in REVERSIBLE:
        raise Refused("invalid", f"oinfno {oinfno} cannot be reversed by 2601: only settlements (2304, 2207), fee "
                                 "uploads (2301, 2204) and registrations (2401, 2201) can", "oinfno")
    text = await uow.first_answer(scope, omsgid)
    if text is None:
        raise Refused("not_found", f"omsgid {omsgid} has no recorded answer at this institution: it was never "
                                   "received, was refused (a refusal changes nothing) or is still being processed",
                      "omsgid")
    output = json.loads(text, parse_float=Decimal).get("output")
    return Original(f"{scope}:{omsgid}", omsgid, oinfno, output if isinstance(output, dict) else {})


def settlement_of(found: Original, psn_no: str) -> tuple[str, str]:
    """(mdtrt_id, setl_id) of an original settlement."""
    info = found.output.get("setlinfo")
    if not isinstance(info, dict) or not info.get("setl_id"):
        raise Refused("invalid", f"omsgid {found.omsgid} was not a {found.oinfno} settlement", "oinfno")
    _same_person(found, info, psn_no)
    return info["mdtrt_id"], info["setl_id"]


def registration_of(found: Original, psn_no: str) -> str:
    """The mdtrt_id an original registration created (answered in ``output.data`` or ``output.result``)."""
    info = found.output.get("data") or found.output.get("result")
    if not isinstance(info, dict) or not info.get("mdtrt_id"):
        raise Refused("invalid", f"omsgid {found.omsgid} was not a {found.oinfno} registration", "oinfno")
    _same_person(found, info, psn_no)
    return info["mdtrt_id"]


def _same_person(found: Original, info: dict[str, Any], psn_no: str) -> None:
    if info.get("psn_no") != psn_no:
        raise Refused("invalid", f"psn_no {psn_no} is not the person of omsgid {found.omsgid}", "psn_no")


@dataclass(frozen=True)
class CancelUpload:
    acting_for: str | None
    psn_no: str
    original: Original
    request: RequestKey | None = None


async def cancel_upload(cmd: CancelUpload, uow: AdjudicationUnitOfWork) -> Answer[int]:
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        stored = await uow.admissions.uploaded_with(cmd.original.key)
        if not stored:
            raise Refused("invalid", f"omsgid {cmd.original.omsgid} uploaded no fee details", "oinfno")
        for mdtrt_id in sorted({row.mdtrt_id for row in stored}):
            await load_admission(uow, mdtrt_id, cmd.acting_for, cmd.psn_no)
        if settled := sorted({row.setl_id for row in stored if row.setl_id is not None}):
            raise Refused("conflict", f"the fee details of omsgid {cmd.original.omsgid} are settled (setl_id "
                                      f"{', '.join(settled)}): reverse the settlement first", "omsgid")
        if await uow.admissions.cancel_uploaded(cmd.original.key) == 0:
            raise Refused("conflict", f"the fee details of omsgid {cmd.original.omsgid} are already cancelled",
                          "omsgid")
        return await uow.commit_answer(cmd.request, len(stored))


@dataclass(frozen=True)
class CancelRegistration:
    acting_for: str | None
    psn_no: str
    mdtrt_id: str
    at: datetime
    request: RequestKey | None = None


async def cancel_registration(cmd: CancelRegistration, uow: AdjudicationUnitOfWork) -> Answer[str]:
    async with uow:
        if (replay := await uow.claim(cmd.request)) is not None:
            return replay
        await load_admission(uow, cmd.mdtrt_id, cmd.acting_for, cmd.psn_no, lock=True)
        if await uow.admissions.settled_details(cmd.mdtrt_id):
            raise Refused("conflict", f"mdtrt_id {cmd.mdtrt_id} has a settlement: reverse it (2305 / 2208) first",
                          "omsgid")
        await uow.admissions.cancel_admission(cmd.mdtrt_id, cmd.at)
        return await uow.commit_answer(cmd.request, cmd.mdtrt_id)

