"""An employer's monthly declaration: one contribution per employee-month, split exactly between
the pooled fund and the individual account; retirees get their monthly account credit instead.

Every employee must be registered in the employee scheme (310) for the period's year in the region
(``employee_members``, from enrollment's events), as in service or retired as declared; a flexible
worker pays through the tax feed instead. A month declared after the pack's due date owes a late fee
(滞纳金) on the contribution, carried in the event as pooled income."""

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
from medfund_billing.adapters.tables import employee_members
from medfund_billing.app.premium_completed import SOURCE
from medfund_billing.domain.employees import PeriodError, employee_month, period_start
from medfund_shared import outbox
from medfund_shared.errors import ApiError
from medfund_shared.events.types.billing import EmployeeAccountCredited, EmployeeContributionDeclared
from medfund_shared.money import Money
from medfund_shared.policy.catalogue import NoPackInForce, PolicyCatalogue
from medfund_shared.policy.contributions import ContributionInputError, EmployeeMember
from medfund_shared.policy.employee_cover import late_fee
from medfund_shared.refusal import no_policy_pack

EMPLOYEE_SCHEME = "310"
RETIRED, FLEXIBLE = "retired", "flexible"


@dataclass(frozen=True)
class DeclaredEmployee:
    certno: str
    psn_no: str
    birth_date: date
    retired: bool
    prior_year_average_monthly_wage: Money | None
    monthly_pension: Money | None

    def fingerprint(self, admdvs: str, declared_on: date) -> str:
        parts = (admdvs, declared_on.isoformat(), self.psn_no, self.birth_date.isoformat(), str(self.retired),
                 str(self.prior_year_average_monthly_wage and self.prior_year_average_monthly_wage.fen),
                 str(self.monthly_pension and self.monthly_pension.fen))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class DeclareMonth:
    employer_code: str
    admdvs: str
    period: str
    employees: list[DeclaredEmployee]
    declared_on: date | None = None
    """The business date of the declaration; ``None``: on time (the first day of the period)."""


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
        raise no_policy_pack(str(exc)) from None
    if len({e.certno for e in command.employees}) != len(command.employees):
        raise ApiError(422, "duplicate_employee", "an employee appears twice in the declaration", "employees")
    declared_on = command.declared_on or start
    if declared_on < start:
        raise ApiError(422, "invalid", "declared_on must not be before the period", "declared_on")
    declared_at = datetime.combine(start, time.min, office_zone)
    members = await registered_members(session, [e.psn_no for e in command.employees], start.year)
    known = await _declared_before(session, command)
    lines, new = [], False
    for index, employee in enumerate(command.employees):
        fingerprint = employee.fingerprint(command.admdvs, declared_on)
        if employee.certno in known:
            row = known[employee.certno]
            if row.fingerprint != fingerprint:
                raise ApiError(409, "conflict", f"{command.period} was declared with other figures for this employee",
                               f"employees.{index}")
            lines.append(_line(row))
            continue
        member = check_member(members.get(employee.psn_no), employee, command.admdvs, start, index)
        pension = employee.monthly_pension or _pension(member)
        try:
            month = employee_month(pack, EmployeeMember(member.brdy, employee.retired,
                                                        employee.prior_year_average_monthly_wage, pension),
                                   command.period)
        except ContributionInputError as exc:
            field = str(exc).split(":")[0]
            raise ApiError(422, "invalid", str(exc), f"employees.{index}.{field}") from None
        fee = late_fee(pack, start, month.employer + month.employee, declared_on)
        row = {"declaration_id": str(uuid.uuid4()), "employer_code": command.employer_code, "period": command.period,
               "certno": employee.certno, "psn_no": employee.psn_no, "admdvs": command.admdvs,
               "fingerprint": fingerprint, "retired": month.retired, "base_fen": month.base.fen,
               "employer_fen": month.employer.fen, "employee_fen": month.employee.fen, "pool_fen": month.pool.fen,
               "account_fen": month.account.fen, "payer": "employer", "late_fee_fen": fee.fen,
               "paid_on": declared_on}
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


async def registered_members(session: AsyncSession, psn_nos: list[str], year: int) -> dict:
    """psn_no → the 310 member registered for ``year``."""
    rows = await session.execute(select(employee_members).where(employee_members.c.psn_no.in_(psn_nos),
                                                                employee_members.c.year == year))
    return {row.psn_no: row for row in rows}


def check_member(member, employee: DeclaredEmployee, admdvs: str, start: date, index: int):
    """The registered member this line declares, or 422 naming the line."""
    field = f"employees.{index}"
    if member is None or member.admdvs != admdvs or member.certno != employee.certno:
        raise ApiError(422, "not_registered", f"{employee.psn_no} is not registered in the employee scheme of "
                                              f"{admdvs} for {start.year} with this certno", f"{field}.psn_no")
    if member.terminated_on is not None and member.terminated_on <= start:
        raise ApiError(422, "not_registered", f"{employee.psn_no}'s enrollment ended on {member.terminated_on}",
                       f"{field}.psn_no")
    if member.kind == FLEXIBLE:
        raise ApiError(422, "kind_mismatch", "a flexible worker pays personally through the tax feed",
                       f"{field}.psn_no")
    if (member.kind == RETIRED) != employee.retired:
        raise ApiError(422, "kind_mismatch", f"registered as {member.kind}", f"{field}.retired")
    if member.brdy != employee.birth_date:
        raise ApiError(422, "kind_mismatch", "brdy differs from the registration", f"{field}.brdy")
    return member


def _pension(member) -> Money | None:
    return Money(member.monthly_pension_fen) if member.monthly_pension_fen is not None else None


def _event(row: dict, declared_at: datetime):
    if row["retired"]:
        return EmployeeAccountCredited(credit_id=row["declaration_id"], psn_no=row["psn_no"], admdvs=row["admdvs"],
                                       period=row["period"], amount=Money(row["account_fen"]),
                                       source="retiree_pension", credited_at=declared_at)
    return EmployeeContributionDeclared(
        declaration_id=row["declaration_id"], employer_code=row["employer_code"], admdvs=row["admdvs"],
        period=row["period"], psn_no=row["psn_no"], certno=row["certno"], base=Money(row["base_fen"]),
        employer_amount=Money(row["employer_fen"]), employee_amount=Money(row["employee_fen"]),
        pool_amount=Money(row["pool_fen"]), account_amount=Money(row["account_fen"]), declared_at=declared_at,
        payer=row["payer"], tax_voucher_no=row.get("tax_voucher_no"), late_fee=Money(row["late_fee_fen"]),
        paid_on=row["paid_on"])


def _line(row) -> dict:
    kind = "account_credited" if row.retired else "contribution_declared"
    return {"declaration_id": row.declaration_id, "certno": row.certno, "psn_no": row.psn_no, "kind": kind,
            "base": Money(row.base_fen).to_yuan(), "employer_amount": Money(row.employer_fen).to_yuan(),
            "employee_amount": Money(row.employee_fen).to_yuan(), "pool_amount": Money(row.pool_fen).to_yuan(),
            "account_amount": Money(row.account_fen).to_yuan(), "late_fee": Money(row.late_fee_fen).to_yuan()}
