"""Request bodies (the shapes of interfaces.md); responses are the use cases' dictionaries."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from medfund_enrollment.domain.employee import EmployeeDetails
from medfund_shared.business_range import BusinessDate, BusinessYear, Count
from medfund_shared.money import YuanAmount
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME
from medfund_shared.text_fields import PersonName

Insutype = Literal[RESIDENT_SCHEME, EMPLOYEE_SCHEME]
Admdvs = Field(pattern=r"^[0-9]{6}$")


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MemberIn(_Body):
    certno: str = Field(min_length=1, max_length=40)
    psn_name: PersonName = Field(min_length=1)
    gend: Literal["1", "2"]
    brdy: date
    category: str | None = None
    categories: list[str] | None = None
    event_date: BusinessDate | None = None
    ssc_no: str | None = Field(default=None, max_length=40)
    employer_code: str | None = Field(default=None, min_length=1, max_length=40)
    retired: bool = False
    flexible: bool = False
    contribution_years: Count | None = None
    monthly_pension: YuanAmount | None = None

    def employee_details(self) -> EmployeeDetails:
        """The employee-scheme fields (310); the rules refuse them in 390."""
        return EmployeeDetails(self.employer_code, self.retired, self.flexible, self.contribution_years,
                               self.monthly_pension)

    def all_categories(self) -> tuple[str, ...]:
        """``category`` and ``categories`` together: the most favourable of them wins."""
        return tuple(dict.fromkeys([*([self.category] if self.category else []), *(self.categories or [])]))


class EnrollmentIn(_Body):
    admdvs: str = Admdvs
    insutype: Insutype = RESIDENT_SCHEME
    year: BusinessYear
    tier: str | None = None
    enrolled_on: BusinessDate | None = None
    members: list[MemberIn] = Field(min_length=1, max_length=50)


class SuspensionIn(_Body):
    year: BusinessYear
    insutype: Insutype = RESIDENT_SCHEME
    since: BusinessDate
    reason: Literal["moved_away", "employee_scheme", "other"]
    note: str = Field(default="", max_length=500)


class ReinstatementIn(_Body):
    year: BusinessYear
    insutype: Insutype = RESIDENT_SCHEME
    since: BusinessDate
    note: str = Field(default="", max_length=500)


class TerminationIn(_Body):
    year: BusinessYear
    insutype: Insutype = RESIDENT_SCHEME
    on: BusinessDate
    reason: Literal["death", "employee_scheme", "moved_away"]
    note: str = Field(default="", max_length=500)


class RenewalIn(_Body):
    year: BusinessYear
    tier: str | None = None
    enrolled_on: BusinessDate | None = None


class CategoryChangeIn(_Body):
    year: BusinessYear
    category: str | None = None
    categories: list[str] | None = Field(default=None, max_length=20)
    reason: str = Field(min_length=1, max_length=500)
    changed_on: BusinessDate | None = None

    def all_categories(self) -> tuple[str, ...]:
        """``category`` and ``categories`` together: the most favourable of them wins."""
        return tuple(dict.fromkeys([*([self.category] if self.category else []), *(self.categories or [])]))


class EligiblePopulationIn(_Body):
    eligible: Count
