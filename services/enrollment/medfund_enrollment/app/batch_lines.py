"""The lines of a bulk CSV file: the columns it must have and one line read into an application."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date

from medfund_enrollment.domain import certno as ids
from medfund_enrollment.domain.employee import EmployeeDetails
from medfund_enrollment.domain.errors import EnrollmentError, InvalidRequest
from medfund_enrollment.domain.household import HouseholdApplication, MemberApplication
from medfund_shared.money import Money, MoneyError
from medfund_shared.schemes import EMPLOYEE_SCHEME, RESIDENT_SCHEME, SCHEMES
from medfund_shared.text_rules import ascii_digits, text_problem
from medfund_shared.year_range import OutOfRange, check_year

COLUMNS = ("household_key", "admdvs", "insutype", "year", "tier", "certno", "psn_name", "gend", "brdy", "category")
OPTIONAL_COLUMNS = ("enrolled_on", "event_date", "ssc_no", "employer_code", "retired", "flexible",
                    "contribution_years", "monthly_pension")
TRUE, FALSE = ("1", "true", "y"), ("", "0", "false", "n")
CATEGORY_SEPARATOR = "|"


@dataclass(frozen=True)
class BatchLine:
    line: int
    values: dict[str, str]

    def rejection(self, error: EnrollmentError) -> dict:
        """The line's entry in the batch report: masked certno, code, message, field."""
        certno = (self.values.get("certno") or "").strip()
        readable = text_problem(certno, ids.LENGTH) is None
        return {"line": self.line, "certno": ids.mask(certno) if readable else "",
                "code": error.code, "message": error.message,
                "field": (error.field or "").removeprefix("members.0.") or None}


@dataclass(frozen=True)
class LineApplication:
    """One line as a one-member household application; ``household_key`` groups the household's lines."""

    application: HouseholdApplication
    household_key: str

    @property
    def certno(self) -> str:
        return self.application.members[0].certno.strip().upper()


def fields_of(raw: bytes) -> list[str]:
    """A file line's fields. Bytes that are not UTF-8 become lone surrogates, which refuse their line
    (``read_line``), not U+FFFD."""
    return next(csv.reader([raw.decode("utf-8", "surrogateescape")]), [])


def values_of(raw: bytes, header: list[str]) -> dict[str, str]:
    """A file line's values by column name."""
    return dict(zip(header, fields_of(raw), strict=False))


def check_header(header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidRequest("invalid_header", f"the header row lacks {missing}; columns: "
                                               f"{', '.join(COLUMNS + OPTIONAL_COLUMNS)}", "header")


def read_line(line: BatchLine, today: date) -> LineApplication:
    """The line's fields checked for presence and form; ``enrolled_on`` defaults to ``today``."""
    v = {k: (value or "").strip() for k, value in line.values.items()}
    if undecodable := next((k for k, value in v.items() if any("\udc80" <= c <= "\udcff" for c in value)), None):
        raise InvalidRequest("invalid_encoding", "the line is not UTF-8", undecodable)
    for column in COLUMNS:
        if column != "tier" and not v.get(column):
            raise InvalidRequest("missing_field", f"{column} is empty", column)
    if v["insutype"] not in SCHEMES:
        raise InvalidRequest("unknown_insutype", f"insutype must be {RESIDENT_SCHEME} or {EMPLOYEE_SCHEME}",
                             "insutype")
    year = _in_range(_integer(v["year"], "year"), "year")
    member = MemberApplication(v["certno"], v["psn_name"], v["gend"], _date(v["brdy"], "brdy"),
                               tuple(c.strip() for c in v["category"].split(CATEGORY_SEPARATOR) if c.strip()),
                               _business_date(v["event_date"], "event_date") if v.get("event_date") else None,
                               v.get("ssc_no") or None, _employee_details(v))
    enrolled_on = _business_date(v["enrolled_on"], "enrolled_on") if v.get("enrolled_on") else today
    application = HouseholdApplication(v["admdvs"], v["insutype"], year, v["tier"] or None, (member,), enrolled_on)
    return LineApplication(application, v["household_key"])


def _employee_details(v: dict[str, str]) -> EmployeeDetails:
    """The optional employee-scheme columns (310); empty cells are absent."""
    years = v.get("contribution_years")
    pension = v.get("monthly_pension")
    try:
        monthly_pension = Money.from_yuan(pension) if pension else None
    except MoneyError:
        raise InvalidRequest("invalid_field", "monthly_pension must be an amount of yuan", "monthly_pension") from None
    return EmployeeDetails(v.get("employer_code") or None, _flag(v, "retired"), _flag(v, "flexible"),
                           _integer(years, "contribution_years") if years else None, monthly_pension)


def _flag(v: dict[str, str], name: str) -> bool:
    value = v.get(name, "").lower()
    if value not in TRUE + FALSE:
        raise InvalidRequest("invalid_field", f"{name} must be true or false", name)
    return value in TRUE


def _integer(value: str, name: str) -> int:
    if not ascii_digits(value):
        raise InvalidRequest("invalid_field", f"{name} must be a whole number", name)
    return int(value)


def _in_range(year: int, name: str) -> int:
    try:
        return check_year(year, name)
    except OutOfRange as exc:
        raise InvalidRequest("out_of_range", str(exc), name) from None


def _business_date(value: str, name: str) -> date:
    day = _date(value, name)
    _in_range(day.year, name)
    return day


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest("invalid_date", f"{name} must be a date YYYY-MM-DD", name) from None
