"""Response models of enrollment's answers for the OpenAPI document. The routes keep answering the dicts the use
cases and queries build (``responses={status: {"model": …}}``), so an answer is not validated twice. Money is
yuan as exact decimal text, dates YYYY-MM-DD, times ISO 8601 text with their offset."""

from __future__ import annotations

from pydantic import BaseModel, Field

YUAN = "yuan, exact decimal text"


class RegisteredMember(BaseModel):
    certno: str
    psn_no: str
    status: str = Field(description="registered, or active when nothing is to be paid")
    premium_due: str = Field(description=YUAN)
    on_behalf_due: str = Field(description=f"paid on the person's behalf, {YUAN}")
    category: str
    enrollment_kind: str


class Registered(BaseModel):
    household_id: str
    members: list[RegisteredMember]


class Renewed(BaseModel):
    household_id: str
    year: int
    members: list[RegisteredMember]


class BatchHead(BaseModel):
    batch_id: str
    status: str = Field(description="processing, done, failed or interrupted")
    received: int
    accepted: int
    duplicates: int
    actor: str
    created_at: str = Field(description="ISO 8601 with offset")
    finished_at: str | None


class RejectedLine(BaseModel):
    line: int
    certno: str = Field(description="masked; empty when the line could not be read")
    code: str
    message: str
    field: str | None


class BatchReport(BatchHead):
    rejected: list[RejectedLine]


class CoverageRefusal(BaseModel):
    reason: str | None
    message: str
    paid_at: str = Field(description="ISO 8601 with offset")


class EmployeeOut(BaseModel):
    kind: str
    employer_code: str | None
    contribution_years: int | None
    monthly_pension: str | None = Field(description=YUAN)


class EnrollmentOut(BaseModel):
    psn_no: str
    certno: str
    household_id: str
    admdvs: str
    insutype: str
    year: int
    tier: str | None
    category: str
    categories: list[str]
    enrollment_kind: str
    status: str
    premium_due: str = Field(description=YUAN)
    on_behalf_due: str = Field(description=YUAN)
    pack_id: str
    paid_at: str | None = Field(description="when the premium was paid in full, ISO 8601 with offset")
    refusal: CoverageRefusal | None = Field(description="why the payment bought no cover")
    employee: EmployeeOut | None = Field(description="the employee scheme (310); null in 390")


class CoveragePeriod(BaseModel):
    insutype: str
    year: int
    from_: str = Field(alias="from", description="YYYY-MM-DD")
    to: str = Field(description="YYYY-MM-DD")
    status: str


class PersonOut(BaseModel):
    psn_no: str
    certno: str
    psn_name: str
    gend: str
    brdy: str = Field(description="YYYY-MM-DD")
    ssc_no: str | None
    category: str | None = Field(description="of the latest enrollment")
    tier: str | None
    enrollments: list[EnrollmentOut]
    coverage: list[CoveragePeriod]


class HouseholdOut(BaseModel):
    household_id: str
    admdvs: str
    household_key: str | None = Field(description="the sender's household number in a bulk file")
    members: list[EnrollmentOut]


class AuditEntry(BaseModel):
    action: str
    actor: str
    effective_on: str = Field(description="YYYY-MM-DD")
    reason: str | None
    note: str
    recorded_at: str = Field(description="ISO 8601 with offset")


class AuditOut(BaseModel):
    psn_no: str
    entries: list[AuditEntry]


class CoverageChanged(BaseModel):
    """A suspension, reinstatement or termination as recorded."""

    psn_no: str
    insutype: str
    year: int
    status: str
    action: str = Field(description="suspended, reinstated or terminated")
    date: str = Field(description="YYYY-MM-DD")
    reason: str | None
    actor: str


class CategoryChangeOut(BaseModel):
    psn_no: str
    year: int
    changed: bool = Field(description="false: the same categories again, nothing changed")
    previous_category: str
    category: str
    categories: list[str]
    tier: str | None
    premium_due: str = Field(description=YUAN)
    on_behalf_due: str = Field(description=YUAN)
    previous_premium_due: str = Field(description=YUAN)
    status: str
    changed_on: str = Field(description="YYYY-MM-DD")
    reason: str
    actor: str


class CategoryCounts(BaseModel):
    enrolled: int
    insured: int


class EnrollmentStatistics(BaseModel):
    admdvs: str
    year: int
    enrolled: int = Field(description="enrollments not terminated")
    insured: int = Field(description="enrollments with cover active")
    eligible: int | None = Field(description="the region's eligible population; null when not set")
    coverage_rate: str | None = Field(description="insured ÷ eligible, decimal text; null when eligible is not set")
    by_category: dict[str, CategoryCounts]


class EligiblePopulation(BaseModel):
    admdvs: str
    year: int
    eligible: int
