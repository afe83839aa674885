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

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.domain.employees import PeriodError, employee_month, period_start
from medfund_shared.events.types.billing import EmployeeAccountCredited, EmployeeContributionDeclared
from medfund_shared.money import Money
from medfund_shared.policy.contributions import ContributionInputError, EmployeeMember
from medfund_shared.policy.employee_cover import late_fee
from medfund_shared.policy.pack_set import NoPackInForce, PackSet
from medfund_shared.refusal import Refusal, no_policy_pack
from medfund_shared.schemes import EMPLOYEE_SCHEME

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


async def declare_month(command: DeclareMonth, uow: BillingUnitOfWork, pack_set: PackSet,
                        office_zone: ZoneInfo) -> tuple[list[dict], bool]:
    """(one line per employee, anything new). A re-sent declaration changes nothing; an employee
    declared before with other figures is a 409 and nothing of the request is stored."""
    try:
        start = period_start(command.period)
        pack = pack_set.in_force(command.admdvs, EMPLOYEE_SCHEME, start)
    except PeriodError as exc:
        raise Refusal.invalid("invalid", str(exc), "period") from None
    except NoPackInForce as exc:
        raise no_policy_pack(str(exc)) from None
    if len({e.certno for e in command.employees}) != len(command.employees):
        raise Refusal.invalid("duplicate_employee", "an employee appears twice in the declaration", "employees")
    declared_on = command.declared_on or start
    if declared_on < start:
        raise Refusal.invalid("invalid", "declared_on must not be before the period", "declared_on")
    declared_at = datetime.combine(start, time.min, office_zone)
    async with uow:
        members = await uow.employees.members_by_psn_no([e.psn_no for e in command.employees], start.year)
        known = await uow.employees.lock_declared(command.employer_code, command.period,
                                                  [e.certno for e in command.employees])
        lines, new = [], False
        for index, employee in enumerate(command.employees):
            fingerprint = employee.fingerprint(command.admdvs, declared_on)
            if employee.certno in known:
                row = known[employee.certno]
                if row.fingerprint != fingerprint:
                    raise Refusal.conflict("conflict", f"{command.period} was declared with other figures for this "
                                                       "employee", f"employees.{index}")
                lines.append(_line(row))
                continue
            member = check_member(members.get(employee.psn_no), employee, command.admdvs, start, index)
            row = _declared_row(command, employee, member, pack, start, declared_on, fingerprint, index)
            await uow.employees.add_month(row)
            await uow.emit(_event(row, declared_at), declared_at)
            lines.append(_line(SimpleNamespace(**row)))
            new = True
        await uow.commit()
    return lines, new


def _declared_row(command: DeclareMonth, employee: DeclaredEmployee, member, pack, start: date, declared_on: date,
                  fingerprint: str, index: int) -> dict:
    pension = employee.monthly_pension or _pension(member)
    try:
        month = employee_month(pack, EmployeeMember(member.brdy, employee.retired,
                                                    employee.prior_year_average_monthly_wage, pension),
                               command.period)
    except ContributionInputError as exc:
        field = str(exc).split(":")[0]
        raise Refusal.invalid("invalid", str(exc), f"employees.{index}.{field}") from None
    fee = late_fee(pack, start, month.employer + month.employee, declared_on)
    return {"declaration_id": str(uuid.uuid4()), "employer_code": command.employer_code, "period": command.period,
            "certno": employee.certno, "psn_no": employee.psn_no, "admdvs": command.admdvs,
            "fingerprint": fingerprint, "retired": month.retired, "base_fen": month.base.fen,
            "employer_fen": month.employer.fen, "employee_fen": month.employee.fen, "pool_fen": month.pool.fen,
            "account_fen": month.account.fen, "payer": "employer", "late_fee_fen": fee.fen, "paid_on": declared_on}


def check_member(member, employee: DeclaredEmployee, admdvs: str, start: date, index: int):
    """The registered member this line declares, or 422 naming the line."""
    field = f"employees.{index}"
    if member is None or member.admdvs != admdvs or member.certno != employee.certno:
        raise Refusal.invalid("not_registered", f"{employee.psn_no} is not registered in the employee scheme of "
                                                f"{admdvs} for {start.year} with this certno", f"{field}.psn_no")
    if member.terminated_on is not None and member.terminated_on <= start:
        raise Refusal.invalid("not_registered", f"{employee.psn_no}'s enrollment ended on {member.terminated_on}",
                              f"{field}.psn_no")
    if member.kind == FLEXIBLE:
        raise Refusal.invalid("kind_mismatch", "a flexible worker pays personally through the tax feed",
                              f"{field}.psn_no")
    if (member.kind == RETIRED) != employee.retired:
        raise Refusal.invalid("kind_mismatch", f"registered as {member.kind}", f"{field}.retired")
    if member.brdy != employee.birth_date:
        raise Refusal.invalid("kind_mismatch", "brdy differs from the registration", f"{field}.brdy")
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
