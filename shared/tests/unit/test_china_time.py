from datetime import UTC, date, datetime

from medfund_shared.china_time import CHINA_TIME, business_date, start_of


def test_a_moment_late_in_the_utc_day_is_the_next_business_day_in_china():
    assert business_date(datetime(2026, 3, 31, 16, 0, tzinfo=UTC)) == date(2026, 4, 1)
    assert business_date(datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC)) == date(2026, 3, 31)


def test_a_business_day_starts_at_midnight_china_time_which_is_16h_utc_the_day_before():
    assert start_of(date(2026, 1, 1)) == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    assert start_of(date(2026, 1, 1)).tzinfo is CHINA_TIME
