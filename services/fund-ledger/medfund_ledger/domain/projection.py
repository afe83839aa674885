"""What booked journal entries add to the projections: account balances and pools' monthly figures.

The same sums whether entries are projected one by one or a batch at a time, so the two give
identical projections; summing per key first also gives one row per key to upsert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from medfund_ledger.domain import accounts
from medfund_ledger.domain.journal import Entry


def account_movements(entries: Iterable[Entry]) -> dict[tuple[str, str], int]:
    """Signed fen per (pool id, account), in key order (the order rows are locked in)."""
    per_account: dict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        for line in entry.lines:
            per_account[(line.pool_id, line.account)] += line.amount
    return dict(sorted(per_account.items()))


def month_movements(entries: Iterable[Entry]) -> dict[tuple[str, str], tuple[int, int]]:
    """(income, expenditure) in fen per (pool id, ``YYYY-MM`` of the effective date), in key order.

    Only pools with an income or expense line appear: a clearing moves cash and payables only.
    """
    per_month: dict[tuple[str, str], list[int]] = {}
    for entry in entries:
        month = entry.effective_date.strftime("%Y-%m")
        for line in entry.lines:
            if accounts.is_income(line.account):
                per_month.setdefault((line.pool_id, month), [0, 0])[0] -= line.amount
            elif accounts.is_expenditure(line.account):
                per_month.setdefault((line.pool_id, month), [0, 0])[1] += line.amount
    return {key: (income, expenditure) for key, (income, expenditure) in sorted(per_month.items())}
