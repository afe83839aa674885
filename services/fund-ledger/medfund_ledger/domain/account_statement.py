"""One employee's individual-account statement, read from their sub-ledger lines in the account pools.

The sub-ledger is credit-normal: a contribution's account share or a retiree's credit is a credit line and
raises the balance; a settlement's account payment is a debit line and lowers it; a reversal's negated
payment gives the money back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medfund_shared.money import Money


@dataclass(frozen=True)
class SubLedgerLine:
    """One journal line on the person's sub-ledger, with its entry."""

    effective_date: date
    entry_id: int
    event_id: str
    kind: str
    memo: str
    pool_id: str
    amount: int
    """Signed fen as the journal has it: + debit, - credit."""


@dataclass(frozen=True)
class StatementEntry:
    effective_date: date
    event_id: str
    kind: str
    memo: str
    pool_id: str
    amount: Money
    """Positive: money into the account; negative: money out of it."""
    balance_after: Money


@dataclass(frozen=True)
class Statement:
    psn_no: str
    balance: Money
    entries: tuple[StatementEntry, ...]


def statement(psn_no: str, lines: list[SubLedgerLine]) -> Statement:
    """The entries oldest first (business date, then booking order) with the running balance."""
    balance, entries = Money.zero(), []
    for line in sorted(lines, key=lambda ln: (ln.effective_date, ln.entry_id)):
        amount = Money(-line.amount)
        balance = balance + amount
        entries.append(StatementEntry(line.effective_date, line.event_id, line.kind, line.memo, line.pool_id, amount,
                                      balance))
    return Statement(psn_no, balance, tuple(entries))
