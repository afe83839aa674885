"""Person and coverage lookup (1101): who the card belongs to and their cover on the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork
from medfund_adjudication.app.commands import PersonInfo
from medfund_adjudication.app.person_types import person_type
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.money import Money


@dataclass(frozen=True)
class PersonCoverage:
    on: date
    coverages: tuple[Coverage, ...]
    balance: Money | None
    """The employee's individual account balance, when we know one."""
    psn_types: dict[str, str]
    """The platform's person-type code under each scheme (``insutype``) on the day, from its pack."""


def _who(cmd: PersonInfo) -> tuple[str, str]:
    if cmd.psn_no:
        return f"psn_no {cmd.psn_no}", "psn_no"
    if cmd.certno:
        return "this certno", "certno"
    return "this social security card", "mdtrt_cert_no"


async def person_info(cmd: PersonInfo, uow: AdjudicationUnitOfWork) -> PersonCoverage:
    async with uow:
        found = await uow.coverage.of_person(year=cmd.on.year, psn_no=cmd.psn_no, certno=cmd.certno,
                                              ssc_no=cmd.ssc_no)
        if not found:
            who, field = _who(cmd)
            raise Refused("not_covered", f"{who} is not insured in {cmd.on.year}", field)
        balance = await uow.coverage.balance(found[0].psn_no)
        psn_types = {c.insutype: await person_type(uow, c, cmd.on) for c in found}
        return PersonCoverage(cmd.on, tuple(found), balance, psn_types)
