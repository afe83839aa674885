"""Who a member of the employee scheme (310) is: in service with an employer, retired, or a flexible worker.

The registration says it with ``employer_code``, ``retired`` and ``flexible``; the combinations that
make no sense are refused with the member's field, and a resident registration (390) takes none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medfund_enrollment.domain.errors import InvalidRequest
from medfund_shared.money import Money


class EmployeeKind(StrEnum):
    IN_SERVICE = "in_service"
    RETIRED = "retired"
    FLEXIBLE = "flexible"
    """灵活就业: pays their own contributions through the tax feed."""


@dataclass(frozen=True)
class EmployeeDetails:
    """What a registration says about the person's place in the employee scheme (all optional on the wire)."""

    employer_code: str | None = None
    retired: bool = False
    flexible: bool = False
    contribution_years: int | None = None
    monthly_pension: Money | None = None

    def first_given(self) -> str | None:
        """The name of the first field given, if any."""
        given = {"employer_code": self.employer_code is not None, "retired": self.retired,
                 "flexible": self.flexible, "contribution_years": self.contribution_years is not None,
                 "monthly_pension": self.monthly_pension is not None}
        return next((name for name, present in given.items() if present), None)


@dataclass(frozen=True)
class EmployeeFacts:
    """A checked 310 member."""

    kind: EmployeeKind
    employer_code: str | None
    contribution_years: int | None
    monthly_pension: Money | None


def checked_employee(details: EmployeeDetails, field: str) -> EmployeeFacts:
    """The member's kind; 422 naming the field for a combination that cannot be."""
    employer = (details.employer_code or "").strip() or None
    if details.retired and details.flexible:
        raise InvalidRequest("invalid_combination", "a member is either retired or a flexible worker, not both",
                             f"{field}.flexible")
    if details.flexible and employer is not None:
        raise InvalidRequest("invalid_combination", "a flexible worker pays personally and has no employer_code",
                             f"{field}.employer_code")
    if not (details.retired or details.flexible or employer):
        raise InvalidRequest("employee_kind_missing", "an employee-scheme member needs employer_code (in service), "
                                                      "retired: true or flexible: true", f"{field}.employer_code")
    if details.contribution_years is not None and not 0 <= details.contribution_years <= 80:
        raise InvalidRequest("invalid_field", "contribution_years must be between 0 and 80",
                             f"{field}.contribution_years")
    if details.retired and details.contribution_years is None:
        raise InvalidRequest("missing_field", "a retiree needs contribution_years (the years brought in)",
                             f"{field}.contribution_years")
    if details.monthly_pension is not None and (not details.retired or details.monthly_pension.fen < 0):
        raise InvalidRequest("invalid_combination", "monthly_pension is a retiree's, and not negative",
                             f"{field}.monthly_pension")
    kind = EmployeeKind.RETIRED if details.retired else EmployeeKind.FLEXIBLE if details.flexible \
        else EmployeeKind.IN_SERVICE
    return EmployeeFacts(kind, employer, details.contribution_years, details.monthly_pension)


def refuse_employee_details(details: EmployeeDetails, field: str) -> None:
    """A resident registration takes none of the employee-scheme fields."""
    name = details.first_given()
    if name is not None:
        raise InvalidRequest("not_employee_scheme", "employer_code, retired, flexible, contribution_years and "
                                                    "monthly_pension belong to insutype 310", f"{field}.{name}")
