"""The tax feed: late, partial and bad shares, valid records, and files billing can take."""

import csv
import io
import json
from collections import Counter
from datetime import date

import pytest

from medfund_cli.demo import taxfeed
from medfund_cli.demo.population import generate
from medfund_cli.demo.scenario import Scenario, county_pack
from medfund_cli.demo.taxfeed import LineKind, Timing
from medfund_shared.money import Money

SCALE = 20_000


@pytest.fixture(scope="module")
def scenario():
    return Scenario(scale=SCALE)


@pytest.fixture(scope="module")
def payers(scenario):
    return taxfeed.plan_payers(scenario, county_pack(scenario), generate(scenario))


@pytest.fixture(scope="module")
def lines(scenario, payers):
    return taxfeed.feed_lines(scenario, payers)


def share(count, total):
    return count / total


def test_timing_shares_follow_the_scenario(scenario, payers):
    paying = [p for p in payers if p.due]
    timings = Counter(p.timing for p in paying)
    assert abs(share(timings[Timing.LATE_GRACE], len(paying)) - scenario.late_grace_share) < 0.02
    assert abs(share(timings[Timing.LATE_WAIT], len(paying)) - scenario.late_wait_share) < 0.015
    assert abs(share(timings[Timing.UNPAID], len(paying)) - scenario.unpaid_share) < 0.01


def test_late_payers_pay_in_their_period_and_get_the_packs_cover(scenario, payers):
    calendar = scenario.calendar
    for payer in payers:
        if payer.timing is Timing.LATE_GRACE and not payer.partial and payer.due:
            assert calendar.year_starts <= payer.paid_on <= calendar.grace_ends
            assert payer.cover_from == date(2026, payer.paid_on.month + 1, 1)
        if payer.timing is Timing.LATE_WAIT and not payer.partial and payer.due:
            assert payer.paid_on > calendar.grace_ends
            assert (payer.cover_from - payer.paid_on).days == 90
        if payer.timing is Timing.ON_TIME and not payer.partial:
            assert payer.cover_from == calendar.year_starts


def test_partial_payers_pay_less_than_due_and_get_no_cover(scenario, payers):
    paid = [p for p in payers if p.paid_on is not None]
    partial = [p for p in paid if p.partial]
    assert abs(share(len(partial), len(paid)) - scenario.partial_share) < 0.01
    assert all(Money.zero() < p.paid < p.due and p.cover_from is None for p in partial)


def test_government_pays_for_zero_premium_categories(payers):
    for payer in payers:
        if payer.person.category in {"dibao", "tekun", "disabled_severe", "entitled", "family_planning"} \
                and payer.due.fen == 0:
            assert payer.paid_on is None and payer.cover_from is not None
    assert any(p.person.category == "tekun" and p.due.fen == 0 for p in payers)


def test_bad_line_shares_and_expected_report(scenario, lines):
    kinds = Counter(line.kind for line in lines)
    good = kinds[LineKind.GOOD]
    bad = len(lines) - good
    assert bad == round(good * scenario.bad_share)
    assert abs(share(kinds[LineKind.MALFORMED], bad) - 0.5) < 0.01
    expected = taxfeed.expectation(lines)
    assert expected.accepted == good
    assert expected.rejected == kinds[LineKind.MALFORMED] + kinds[LineKind.WRONG_OFFICE]
    assert expected.duplicates == kinds[LineKind.DUPLICATE]


def test_good_lines_have_unique_vouchers_and_duplicates_repeat_one(lines):
    good = [line.record["tax_voucher_no"] for line in lines if line.kind is LineKind.GOOD]
    assert len(set(good)) == len(good)
    duplicates = [line.record for line in lines if line.kind is LineKind.DUPLICATE]
    by_voucher = {line.record["tax_voucher_no"]: line.record for line in lines if line.kind is LineKind.GOOD}
    assert all(by_voucher[record["tax_voucher_no"]] == record for record in duplicates)


def test_wrong_office_and_malformed_lines_differ_from_a_good_one(scenario, lines):
    for line in lines:
        if line.kind is LineKind.WRONG_OFFICE:
            assert line.record["tax_office_code"] == scenario.other_tax_office_code
        if line.kind is LineKind.GOOD:
            assert line.record["tax_office_code"] == scenario.tax_office_code
            assert len(line.record["tax_voucher_no"]) <= 30
            assert Money.from_yuan(line.record["amount"]) > Money.zero()


def test_files_split_by_period_and_serialise(scenario, lines):
    files = taxfeed.files(scenario, lines)
    assert sum(len(chunk) for _, chunk in files) == len(lines)
    assert [day for day, _ in files] == sorted(day for day, _ in files)
    first = files[0][1]
    rows = list(csv.DictReader(io.StringIO(taxfeed.to_csv(first).decode())))
    assert rows[0] == first[0].record
    records = [json.loads(text) for text in taxfeed.to_ndjson(first).decode().splitlines()]
    assert records == [line.record for line in first]
