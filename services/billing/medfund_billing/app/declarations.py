"""An employer's monthly declaration: one contribution per employee-month, split exactly between
the pooled fund and the individual account; retirees get their monthly account credit instead."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import employee_declarations as t
from medfund_billing.app.premium_completed import SOURCE
from medfund_billing.domain.employees import PeriodError, employee_month, period_start
from medfund_shared import outbox
from medfund_shared.errors import ApiError
from medfund_shared.events.types.billing import EmployeeAccountCredited, EmployeeContributionDeclared
from medfund_shared.money import Money
from medfund_shared.policy.catalogue import NoPackInForce, PolicyCatalogue
from medfund_shared.policy.contributions import ContributionInputError, EmployeeMember

EMPLOYEE_SCHEME = "310"


@dataclass(frozen=True)
class DeclaredEmployee:
    certno: str
    psn_no: str
    birth_date: date
    retired: bool
    prior_year_average_monthly_wage: Money | None
    monthly_pension: Money | None

    def fingerprint(self, admdvs: str) -> str:
        parts = (admdvs, self.psn_no, self.birth_date.isoformat(), str(self.retired),
                 str(self.prior_year_average_monthly_wage and self.prior_year_average_monthly_wage.fen),
                 str(self.monthly_pension and self.monthly_pension.fen))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class DeclareMonth:
    employer_code: str
    admdvs: str
    period: str
    employees: list[DeclaredEmployee]


async def declare_month(command: DeclareMonth, session: AsyncSession, catalogue: PolicyCatalogue,
                        office_zone: ZoneInfo) -> tuple[list[dict], bool]:
    """(one line per employee, anything new). A re-sent declaration changes nothing; an employee
    declared before with other figures is a 409 and nothing of the request is stored."""
    try:
        start = period_start(command.period)
        pack = catalogue.in_force(command.admdvs, EMPLOYEE_SCHEME, start)
    except PeriodError as exc:
        raise ApiError(422, "invalid", str(exc), "period") from None
    except NoPackInForce as exc:
        raise ApiError(422, "no_policy_pack", str(exc), "admdvs") from None
    if len({e.certno for e in command.employees}) != len(command.employees):
        raise ApiError(422, "duplicate_employee", "an employee appears twice in the declaration", "employees")
    declared_at = datetime.combine(start, time.min, office_zone)
    known = await _declared_before(session, command)
    lines, new = [], False
    for index, employee in enumerate(command.employees):
        fingerprint = employee.fingerprint(command.admdvs)
        if employee.certno in known:
            row = known[employee.certno]
            if row.fingerprint != fingerprint:
                raise ApiError(409, "conflict", f"{command.period} was declared with other figures for this employee",
                               f"employees.{index}")
            lines.append(_line(row))
            continue
        try:
            month = employee_month(pack, EmployeeMember(employee.birth_date, employee.retired,
                                                        employee.prior_year_average_monthly_wage,
                                                        employee.monthly_pension), command.period)
        except ContributionInputError as exc:
            field = str(exc).split(":")[0]
            raise ApiError(422, "invalid", str(exc), f"employees.{index}.{field}") from None
        row = {"declaration_id": str(uuid.uuid4()), "employer_code": command.employer_code, "period": command.period,
               "certno": employee.certno, "psn_no": employee.psn_no, "admdvs": command.admdvs,
               "fingerprint": fingerprint, "retired": month.retired, "base_fen": month.base.fen,
               "employer_fen": month.employer.fen, "employee_fen": month.employee.fen, "pool_fen": month.pool.fen,
               "account_fen": month.account.fen}
        await session.execute(t.insert().values(row))
        await outbox.add(session, _event(row, declared_at), source=SOURCE, effective_time=declared_at)
        lines.append(_line(SimpleNamespace(**row)))
        new = True
    await session.commit()
    return lines, new


async def _declared_before(session: AsyncSession, command: DeclareMonth) -> dict:
    rows = (await session.execute(select(t).where(
        t.c.employer_code == command.employer_code, t.c.period == command.period,
        t.c.certno.in_([e.certno for e in command.employees])).with_for_update())).all()
    return {row.certno: row for row in rows}


def _event(row: dict, declared_at: datetime):
    if row["retired"]:
        return EmployeeAccountCredited(credit_id=row["declaration_id"], psn_no=row["psn_no"], admdvs=row["admdvs"],
                                       period=row["period"], amount=Money(row["account_fen"]),
                                       source="retiree_pension", credited_at=declared_at)
    return EmployeeContributionDeclared(
        declaration_id=row["declaration_id"], employer_code=row["employer_code"], admdvs=row["admdvs"],
        period=row["period"], psn_no=row["psn_no"], certno=row["certno"], base=Money(row["base_fen"]),
        employer_amount=Money(row["employer_fen"]), employee_amount=Money(row["employee_fen"]),
        pool_amount=Money(row["pool_fen"]), account_amount=Money(row["account_fen"]), declared_at=declared_at)


def _line(row) -> dict:
    kind = "account_credited" if row.retired else "contribution_declared"
    return {"declaration_id": row.declaration_id, "certno": row.certno, "psn_no": row.psn_no, "kind": kind,
            "base": Money(row.base_fen).to_yuan(), "employer_amount": Money(row.employer_fen).to_yuan(),
            "employee_amount": Money(row.employee_fen).to_yuan(), "pool_amount": Money(row.pool_fen).to_yuan(),
            "account_amount": Money(row.account_fen).to_yuan()}
