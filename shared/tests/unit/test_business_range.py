"""The business range: one check for years, periods and dates, the same in request models."""

from datetime import date, datetime

import pytest
from pydantic import BaseModel, ValidationError

from medfund_shared.business_range import BusinessDate, BusinessDateTime, BusinessYear
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.year_range import OutOfRange, check_date, check_period, check_year


@pytest.mark.parametrize("year", [1990, 2026, 2100])
def test_years_from_1990_to_2100_pass(year):
    assert check_year(year) == year


@pytest.mark.parametrize("year", [0, 1989, 2101, 9999])
def test_years_outside_are_refused_naming_the_field(year):
    with pytest.raises(OutOfRange) as refused:
        check_year(year, "period_year")
    assert refused.value.field == "period_year"
    assert str(refused.value) == f"period_year must fall in the years 1990-2100, got {year}"


def test_dates_periods_and_times_are_judged_by_their_year():
    assert check_date(date(2026, 3, 1)) == date(2026, 3, 1)
    assert check_period("2026-03") == "2026-03" and check_period("202603") == "202603"
    with pytest.raises(OutOfRange):
        check_date(datetime(9999, 1, 1, tzinfo=CHINA_TIME), "setl_time")
    with pytest.raises(OutOfRange):
        check_period("9999-01")
    with pytest.raises(OutOfRange):
        check_period("abcd-01")


class Body(BaseModel):
    year: BusinessYear
    on: BusinessDate | None = None
    at: BusinessDateTime | None = None


def test_request_models_refuse_out_of_range_values_with_the_field_in_the_location():
    assert Body(year=2026, on="2026-01-01", at="2026-01-01T08:00:00+08:00").year == 2026
    for bad, field in (({"year": 9999}, "year"), ({"year": 2026, "on": "1900-01-01"}, "on"),
                       ({"year": 2026, "at": "2999-01-01T00:00:00+08:00"}, "at")):
        with pytest.raises(ValidationError) as refused:
            Body(**bad)
        error = refused.value.errors()[0]
        assert error["loc"] == (field,) and "must fall in the years 1990-2100" in error["msg"]
    with pytest.raises(ValidationError):
        Body(year=2026, at="2026-01-01T08:00:00")
