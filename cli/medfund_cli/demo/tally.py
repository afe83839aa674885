"""What the demo has done so far, as the services answered it (shown live, then summarised)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from medfund_cli.demo.visits import Settled
from medfund_shared.money import Money

POOLED = "390100"


@dataclass
class Tally:
    households: int = 0
    enrolled: int = 0
    enrollment_rejected: int = 0
    tax_lines_sent: int = 0
    tax_accepted: int = 0
    tax_duplicates: int = 0
    tax_rejected: list[dict] = field(default_factory=list)
    settled: int = 0
    reversed: int = 0
    refused_uncovered: set[str] = field(default_factory=set)
    """Certnos of people without cover whom the gateway refused (as it should)."""
    refused_unexpected: set[str] = field(default_factory=set)
    """Certnos of covered people refused, or of uncovered people settled: each one is a fault."""
    refusal_attempts: int = 0
    refusal_samples: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    fund_paid: Money = field(default_factory=Money.zero)
    medfee: Money = field(default_factory=Money.zero)
    by_fund: dict[str, Money] = field(default_factory=dict)
    by_institution: dict[str, Money] = field(default_factory=dict)
    outpatient_pooled: Money = field(default_factory=Money.zero)
    inpatient_pooled: Money = field(default_factory=Money.zero)
    business_day: str = ""
    phase: str = ""

    def record(self, institution: str, kind: str, settled: Settled) -> None:
        """A settlement or (with negated amounts) its reversal."""
        self.fund_paid += settled.fund_pay_sumamt
        self.medfee += settled.medfee_sumamt
        self.by_institution[institution] = self.by_institution.get(institution, Money.zero()) + settled.fund_pay_sumamt
        for fund, amount in settled.funds.items():
            self.by_fund[fund] = self.by_fund.get(fund, Money.zero()) + amount
        pooled = settled.funds.get(POOLED, Money.zero())
        if kind == "outpatient":
            self.outpatient_pooled += pooled
        else:
            self.inpatient_pooled += pooled

    @property
    def pooled(self) -> Money:
        return self.by_fund.get(POOLED, Money.zero())

    def refused(self, certno: str, message: str, expected: bool) -> None:
        """Refusals count people: one person refused twice is one refused person."""
        self.refusal_attempts += 1
        (self.refused_uncovered if expected else self.refused_unexpected).add(certno)
        sample = f"{'without cover' if expected else 'unexpected'}: {message}"
        if len(self.refusal_samples) < 5 and sample not in self.refusal_samples:
            self.refusal_samples.append(sample)
