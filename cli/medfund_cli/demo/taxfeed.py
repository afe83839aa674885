"""The tax bureau's collection feed: payment records, late and partial payers, and bad lines.

Good lines are one per paying person. Bad lines are extra: malformed copies and copies from the
wrong tax office (both rejected line by line) and exact duplicates (reported as duplicates).
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from medfund_cli.demo import premiums
from medfund_cli.demo.population import Household, Person, apportion
from medfund_cli.demo.scenario import ADMDVS, INSUTYPE, YEAR, Scenario, at
from medfund_shared.money import Money
from medfund_shared.policy.schema import PolicyPack

FIELDS = ("tax_voucher_no", "certno", "psn_name", "insutype", "admdvs", "period_year", "amount",
          "paid_at", "tax_office_code", "channel")
CHANNELS = {"etax": 15, "app": 20, "wechat": 30, "alipay": 10, "bank_counter": 5, "bank_deduction": 10, "agent": 10}
MALFORMATIONS = (
    ("amount", "-140.00"),
    ("amount", "140.005"),
    ("paid_at", "2025-13-01 09:00"),
    ("certno", "50024019800101123"),
    ("channel", "cash"),
    ("period_year", "20x6"),
)


class Timing(StrEnum):
    ON_TIME = "on_time"
    LATE_GRACE = "late_grace"
    """Paid 1 Jan-28 Feb: covered from the 1st of the next month."""
    LATE_WAIT = "late_wait"
    """Paid from 1 Mar: covered after the waiting period."""
    UNPAID = "unpaid"


class LineKind(StrEnum):
    GOOD = "good"
    MALFORMED = "malformed"
    WRONG_OFFICE = "wrong_office"
    DUPLICATE = "duplicate"


@dataclass
class Payer:
    """One insured person's premium and what they (do not) pay, with the cover it should buy."""

    person: Person
    due: Money
    timing: Timing
    paid: Money = field(default_factory=Money.zero)
    paid_on: date | None = None
    cover_from: date | None = None

    @property
    def partial(self) -> bool:
        return self.paid_on is not None and self.paid < self.due


@dataclass(frozen=True)
class FeedLine:
    kind: LineKind
    record: dict[str, str]
    paid_on: date


@dataclass(frozen=True)
class FeedExpectation:
    """What billing should report for the whole feed."""

    accepted: int
    duplicates: int
    rejected: int
    collected: Money


def plan_payers(scenario: Scenario, pack: PolicyPack, households: Iterable[Household]) -> list[Payer]:
    """Every insured person with their due, their household's timing and the expected cover."""
    rng = random.Random(scenario.seed + 1)
    calendar = scenario.calendar
    timings = {Timing.LATE_GRACE: scenario.late_grace_share, Timing.LATE_WAIT: scenario.late_wait_share,
               Timing.UNPAID: scenario.unpaid_share}
    timings[Timing.ON_TIME] = 1 - sum(timings.values())
    payers = []
    for household in households:
        timing = rng.choices(list(timings), list(timings.values()))[0]
        for person in household.members:
            due = premiums.individual_due(pack, household, person, YEAR)
            payer = Payer(person, due, timing if due else Timing.ON_TIME)
            if not due:
                payer.cover_from = calendar.year_starts
            elif timing is not Timing.UNPAID:
                _pay(rng, scenario, pack, household, payer)
            payers.append(payer)
    return payers


def _pay(rng: random.Random, scenario: Scenario, pack: PolicyPack, household: Household, payer: Payer) -> None:
    calendar = scenario.calendar
    first, last = {
        Timing.ON_TIME: (household.enrolled_on, calendar.window_closes),
        Timing.LATE_GRACE: (calendar.year_starts, calendar.grace_ends),
        Timing.LATE_WAIT: (calendar.grace_ends + timedelta(days=1), calendar.late_ends),
    }[payer.timing]
    payer.paid_on = rng.choice(calendar.days(first, last))
    if rng.random() < scenario.partial_share:
        fraction = Decimal(rng.randint(30, 80)) / 100
        payer.paid = Money.from_yuan(int(payer.due.times(fraction).to_decimal()) or 1)
    else:
        payer.paid = payer.due
        payer.cover_from = premiums.cover_from(pack, payer.person, YEAR, payer.paid_on)


def feed_lines(scenario: Scenario, payers: Iterable[Payer]) -> list[FeedLine]:
    """Good lines for every payment plus the scenario's share of bad lines, in business-time order."""
    rng = random.Random(scenario.seed + 2)
    good = [FeedLine(LineKind.GOOD, _record(scenario, rng, payer, n), payer.paid_on)
            for n, payer in enumerate(p for p in payers if p.paid_on is not None)]
    bad_total = round(len(good) * scenario.bad_share)
    weights = {kind: round(share * 1000) for kind, share in scenario.bad_kinds.items()}
    bad: list[FeedLine] = []
    for kind, count in apportion(bad_total, weights).items():
        for n in range(count):
            bad.append(_bad_line(scenario, rng, LineKind(kind), rng.choice(good), n))
    return sorted(good + bad, key=lambda line: (line.paid_on, line.kind is not LineKind.GOOD))


def expectation(lines: Iterable[FeedLine]) -> FeedExpectation:
    lines = list(lines)
    good = [line for line in lines if line.kind is LineKind.GOOD]
    return FeedExpectation(
        accepted=len(good),
        duplicates=sum(line.kind is LineKind.DUPLICATE for line in lines),
        rejected=sum(line.kind in (LineKind.MALFORMED, LineKind.WRONG_OFFICE) for line in lines),
        collected=sum((Money.from_yuan(line.record["amount"]) for line in good), Money.zero()),
    )


def files(scenario: Scenario, lines: list[FeedLine]) -> list[tuple[date, list[FeedLine]]]:
    """The bureau's files: one per collection period (window, Jan-Feb, from March), chunked by size.

    Each file is labelled with the business date of its last line (when the bureau sends it).
    """
    calendar = scenario.calendar
    periods: dict[int, list[FeedLine]] = {}
    for line in lines:
        period = 0 if line.paid_on <= calendar.window_closes else 1 if line.paid_on <= calendar.grace_ends else 2
        periods.setdefault(period, []).append(line)
    result = []
    for period in sorted(periods):
        chunk_source = periods[period]
        for start in range(0, len(chunk_source), scenario.batch_lines):
            chunk = chunk_source[start:start + scenario.batch_lines]
            result.append((max(line.paid_on for line in chunk), chunk))
    return result


def to_ndjson(lines: Iterable[FeedLine]) -> bytes:
    return "".join(json.dumps(line.record, ensure_ascii=False) + "\n" for line in lines).encode()


def to_csv(lines: Iterable[FeedLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        writer.writerow(line.record)
    return buffer.getvalue().encode()


def _record(scenario: Scenario, rng: random.Random, payer: Payer, serial: int) -> dict[str, str]:
    paid_at = at(payer.paid_on, rng.randint(8 * 3600, 21 * 3600))
    return {
        "tax_voucher_no": f"3{ADMDVS}{payer.paid_on:%Y%m%d}{serial:08d}",
        "certno": payer.person.certno,
        "psn_name": payer.person.psn_name,
        "insutype": INSUTYPE,
        "admdvs": ADMDVS,
        "period_year": str(YEAR),
        "amount": payer.paid.to_yuan(),
        "paid_at": paid_at.isoformat(),
        "tax_office_code": scenario.tax_office_code,
        "channel": rng.choices(list(CHANNELS), list(CHANNELS.values()))[0],
    }


def _bad_line(scenario: Scenario, rng: random.Random, kind: LineKind, original: FeedLine, n: int) -> FeedLine:
    if kind is LineKind.DUPLICATE:
        return FeedLine(kind, dict(original.record), original.paid_on)
    record = dict(original.record, tax_voucher_no=f"9{ADMDVS}{original.paid_on:%Y%m%d}{kind.value[0]}{n:07d}")
    if kind is LineKind.WRONG_OFFICE:
        record["tax_office_code"] = scenario.other_tax_office_code
    else:
        field_name, value = MALFORMATIONS[n % len(MALFORMATIONS)]
        record[field_name] = value
    return FeedLine(kind, record, original.paid_on)
