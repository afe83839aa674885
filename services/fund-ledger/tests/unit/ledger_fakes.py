"""``FakeUnitOfWork``: the ledger's command use cases against an in-memory journal (fakes over mocks, no I/O)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from medfund_ledger.adapters.figures import Touched
from medfund_ledger.domain import accounts
from medfund_ledger.domain.journal import Entry
from medfund_shared.money import Money
from medfund_shared.unit_of_work import FakeUnitOfWorkBase


class FakeLedgerRepository:
    """``adapters.ledger_repository.LedgerRepository`` over dicts: entries by key, budgets, thresholds, alerts."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[Entry, dict | None]] = {}
        self.pools: dict[str, dict] = {}
        self.institutions: set[str] = set()
        self.institution_budgets: dict[tuple[str, int], Money] = {}
        self.thresholds: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        self.alerts: dict[str, dict] = {}

    async def book(self, entry: Entry, request: dict | None) -> bool:
        if entry.key in self.entries:
            return False
        self.entries[entry.key] = (entry, request)
        for pool_id in entry.pool_ids:
            await self.ensure_pool(pool_id)
        return True

    async def entry_debits(self, key: str) -> dict[str, Money]:
        moved: dict[str, int] = defaultdict(int)
        for line in self.entries[key][0].lines if key in self.entries else ():
            if line.amount > 0:
                moved[line.pool_id] += line.amount
        return {pool_id: Money(fen) for pool_id, fen in moved.items()}

    async def payable_by_pool(self, fixmedins_code: str, until: date) -> dict[str, Money]:
        owed: dict[str, int] = defaultdict(int)
        for entry, _ in self.entries.values():
            if entry.effective_date <= until:
                for line in entry.lines:
                    if line.account == accounts.payable(fixmedins_code):
                        owed[line.pool_id] -= line.amount
        return {pool_id: Money(fen) for pool_id, fen in owed.items() if fen}

    async def ensure_pool(self, pool_id: str) -> None:
        self.pools.setdefault(pool_id, {"budget_due": None, "planned_expenditure": None})

    async def set_pool_budget(self, pool_id: str, budget_due: Money, planned_expenditure: Money) -> None:
        self.pools[pool_id] |= {"budget_due": budget_due, "planned_expenditure": planned_expenditure}

    async def set_thresholds(self, pool_id: str, levels: dict[str, tuple[Decimal, Decimal]]) -> None:
        self.thresholds |= {(pool_id, rule): level for rule, level in levels.items()}

    async def institution_known(self, fixmedins_code: str) -> bool:
        return fixmedins_code in self.institutions

    async def set_institution_budget(self, fixmedins_code: str, year: int, amount: Money) -> None:
        self.institution_budgets[(fixmedins_code, year)] = amount

    async def alert(self, alert_id: str, *, lock: bool = False):
        return SimpleNamespace(**self.alerts[alert_id]) if alert_id in self.alerts else None

    async def acknowledge_alert(self, alert_id: str, who: str, note: str, at: datetime) -> None:
        self.alerts[alert_id] |= {"state": "acknowledged", "acked_by": who, "ack_note": note, "acked_at": at}


class FakeUnitOfWork(FakeUnitOfWorkBase):
    """Committed events in ``events``; what each command asked to re-evaluate in ``evaluated``."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = FakeLedgerRepository()
        self.evaluated: list[Touched] = []

    async def evaluate(self, touched: Touched) -> None:
        self.evaluated.append(touched)
