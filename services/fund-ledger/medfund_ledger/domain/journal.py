"""Double-entry journal entries, one per business event, built from plain inputs.

Each builder returns an :class:`Entry` whose lines sum to zero (Σdebit = Σcredit) in every pool.
Corrections are new entries: a reversal is the same entry with every amount negated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from medfund_ledger.domain import accounts
from medfund_shared.money import Money


class UnbalancedEntry(ValueError):
    """Debits and credits of an entry (or of one pool inside it) differ."""


@dataclass(frozen=True, slots=True)
class Line:
    pool_id: str
    account: str
    amount: int
    """Signed fen: positive debit, negative credit."""


@dataclass(frozen=True)
class Entry:
    key: str
    """The idempotency key: the event id, or the command's key for the ledger's own entries."""
    kind: str
    effective_date: date
    lines: tuple[Line, ...]
    memo: str = ""

    def __post_init__(self) -> None:
        per_pool: dict[str, int] = defaultdict(int)
        for line in self.lines:
            per_pool[line.pool_id] += line.amount
        unbalanced = [pool for pool, total in per_pool.items() if total != 0]
        if unbalanced:
            raise UnbalancedEntry(f"entry {self.key} does not balance in {', '.join(unbalanced)}")

    @property
    def pool_ids(self) -> list[str]:
        return sorted({line.pool_id for line in self.lines})


@dataclass
class _Lines:
    """Collects debit/credit pairs, dropping zero amounts."""

    lines: list[Line] = field(default_factory=list)

    def pair(self, pool_id: str, debit: str, credit: str, amount: Money) -> None:
        if amount.fen:
            self.lines += [Line(pool_id, debit, amount.fen), Line(pool_id, credit, -amount.fen)]


def _entry(key: str, kind: str, on: date, lines: _Lines, memo: str = "") -> Entry:
    return Entry(key, kind, on, tuple(lines.lines), memo)


def contribution_received(key: str, on: date, pool_id: str, amount: Money) -> Entry:
    """Dr fiscal special account (cash) / Cr contribution income — individual."""
    lines = _Lines()
    lines.pair(pool_id, accounts.CASH, accounts.INCOME_INDIVIDUAL, amount)
    return _entry(key, "contribution_received", on, lines)


def contribution_returned(key: str, kind: str, on: date, pool_id: str, amount: Money) -> Entry:
    """Refund or reversal of a contribution: the mirror of the receipt."""
    lines = _Lines()
    lines.pair(pool_id, accounts.INCOME_INDIVIDUAL, accounts.CASH, amount)
    return _entry(key, kind, on, lines)


def on_behalf_paid(key: str, on: date, pool_id: str, amount: Money, sponsor_pool_id: str | None = None) -> Entry:
    """Dr cash / Cr contribution income — on behalf; when medical assistance pays it (资助参保), also
    Dr sponsorship expense / Cr cash in the assistance pool: its money, not money from nowhere."""
    lines = _Lines()
    lines.pair(pool_id, accounts.CASH, accounts.INCOME_ON_BEHALF, amount)
    if sponsor_pool_id is not None:
        lines.pair(sponsor_pool_id, accounts.SPONSORSHIP_EXPENSE, accounts.CASH, amount)
    return _entry(key, "on_behalf_paid", on, lines)


def appropriation_received(key: str, on: date, pool_id: str, source: str, amount: Money) -> Entry:
    """Dr cash / Cr appropriation income of the source (civil affairs, finance)."""
    lines = _Lines()
    lines.pair(pool_id, accounts.CASH, accounts.appropriation_income(source), amount)
    return _entry(key, "appropriation_received", on, lines)


def mirrored(entry: Entry, kind: str) -> Entry:
    """The mirror of ``entry`` (every line negated) under another kind: money that goes back the way it came."""
    return Entry(entry.key, kind, entry.effective_date,
                 tuple(Line(line.pool_id, line.account, -line.amount) for line in entry.lines), entry.memo)


UNSPLIT_SUBSIDY_LEVEL = "government"
"""The one income line of a subsidy whose pack does not split it by level (billing sends no shares)."""


def subsidy_allocated(key: str, on: date, pool_id: str, amount: Money, shares: list[tuple[str, Money]]) -> Entry:
    """Dr cash / Cr subsidy income per government level (one line when the pack does not split it)."""
    if shares and sum((share for _, share in shares), Money.zero()) != amount:
        raise ValueError(f"subsidy shares do not add up to the amount {amount.to_yuan()}")
    lines = _Lines()
    for level, share in shares or [(UNSPLIT_SUBSIDY_LEVEL, amount)]:
        lines.pair(pool_id, accounts.CASH, accounts.subsidy_income(level), share)
    return _entry(key, "subsidy_allocated", on, lines)


NO_LATE_FEE = Money(0)
"""A month declared in time owes no late fee (Money is immutable: a safe default)."""


def employee_contribution(key: str, on: date, pooled_pool_id: str, account_pool_id: str, psn_no: str,
                          pool_amount: Money, account_amount: Money, late_fee: Money = NO_LATE_FEE,
                          period: str = "") -> Entry:
    """The declaration's split: pooled-fund share and individual-account share (sub-ledger per person);
    a late month's fee (滞纳金) is pooled income too. The memo is the month (``YYYY-MM``) paid for."""
    lines = _Lines()
    lines.pair(pooled_pool_id, accounts.CASH, accounts.INCOME_EMPLOYEE_POOLED, pool_amount)
    lines.pair(account_pool_id, accounts.CASH, accounts.account_income(psn_no), account_amount)
    lines.pair(pooled_pool_id, accounts.CASH, accounts.INCOME_LATE_FEE, late_fee)
    return _entry(key, "employee_contribution", on, lines, memo=period)


def account_credited(key: str, on: date, pooled_pool_id: str, account_pool_id: str, psn_no: str,
                     amount: Money, period: str = "") -> Entry:
    """A retiree's monthly individual-account credit, paid out of the pooled fund; the memo is its month."""
    lines = _Lines()
    lines.pair(pooled_pool_id, accounts.TRANSFER_OUT, accounts.CASH, amount)
    lines.pair(account_pool_id, accounts.CASH, accounts.account_transfer_in(psn_no), amount)
    return _entry(key, "account_credited", on, lines, memo=period)


def settlement(key: str, kind: str, on: date, fixmedins_code: str,
               funds: list[tuple[str, str, Money]], account_payment: tuple[str, str, Money] | None = None) -> Entry:
    """Per fund row ``(pool_id, expense kind, amount)``: Dr benefit expense / Cr payable to the institution; the
    individual account's row ``(pool_id, psn_no, amount)``: Dr the person's account payments / Cr payable.

    A reversal carries negated amounts, which makes it the exact mirror (and gives the account its money back).
    """
    lines = _Lines()
    for pool_id, expense_kind, amount in funds:
        lines.pair(pool_id, accounts.benefit_expense(expense_kind), accounts.payable(fixmedins_code), amount)
    if account_payment is not None:
        pool_id, psn_no, amount = account_payment
        lines.pair(pool_id, accounts.account_payment(psn_no), accounts.payable(fixmedins_code), amount)
    return _entry(key, kind, on, lines, memo=fixmedins_code)


def clearing(key: str, on: date, fixmedins_code: str, payable_by_pool: dict[str, Money]) -> Entry:
    """Monthly clearing: Dr payable to the institution / Cr cash, per pool."""
    lines = _Lines()
    for pool_id, amount in sorted(payable_by_pool.items()):
        lines.pair(pool_id, accounts.payable(fixmedins_code), accounts.CASH, amount)
    return _entry(key, "clearing", on, lines, memo=fixmedins_code)


def transfer(key: str, on: date, from_pool_id: str, to_pool_id: str, amount: Money, memo: str = "") -> Entry:
    """Money from one pool to another (the catastrophic premium, the risk reserve, an operator's transfer):
    Dr transfer expense (from) / Cr transfer income (to), cash follows."""
    lines = _Lines()
    lines.pair(from_pool_id, accounts.TRANSFER_OUT, accounts.CASH, amount)
    lines.pair(to_pool_id, accounts.CASH, accounts.TRANSFER_IN, amount)
    return _entry(key, "transfer", on, lines, memo)


def brought_forward(key: str, on: date, pool_id: str, amount: Money, voucher_no: str = "") -> Entry:
    """The balance a fund held before the ledger kept it: Dr cash / Cr balance brought forward."""
    lines = _Lines()
    lines.pair(pool_id, accounts.CASH, accounts.BROUGHT_FORWARD, amount)
    return _entry(key, "brought_forward", on, lines, voucher_no)
