"""Person and coverage lookup (1101): who the card belongs to and their cover on the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medfund_adjudication.adapters import coverage_repo
from medfund_adjudication.adapters.uow import UnitOfWork
from medfund_adjudication.app.commands import PersonInfo
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.refusal import Refused
from medfund_shared.money import Money


@dataclass(frozen=True)
class PersonCoverage:
    on: date
    coverages: tuple[Coverage, ...]
    balance: Money | None
    """The employee's individual account balance, when we know one."""


async def person_info(cmd: PersonInfo, uow: UnitOfWork) -> PersonCoverage:
    async with uow:
        found = await coverage_repo.of_person(uow.session, year=cmd.on.year, psn_no=cmd.psn_no, certno=cmd.certno)
        if not found:
            who = f"psn_no {cmd.psn_no}" if cmd.psn_no else "this certno"
            raise Refused("not_covered", f"{who} is not insured in {cmd.on.year}", "psn_no" if cmd.psn_no else "certno")
        balance = await coverage_repo.balance(uow.session, found[0].psn_no)
        return PersonCoverage(cmd.on, tuple(found), balance)
