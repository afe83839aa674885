"""``FakeUnitOfWork``: the ledger's command and read use cases against an in-memory journal (fakes over mocks, no
I/O)."""

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


class FakePoolReads:
    """``adapters.read_repositories.PoolReads`` over dicts: rows, balances (live or per ``as_of``), entries, months.

    No region has a business clock here (``business_now`` is ``None``): the rules' measures are the integration
    tests' concern."""

    def __init__(self) -> None:
        self.rows: dict[str, SimpleNamespace] = {}
        self.live: dict[str, dict[str, int]] = {}
        self.as_of: dict[tuple[str, date], dict[str, int]] = {}
        self.journal: list[tuple[SimpleNamespace, list[SimpleNamespace]]] = []
        self.month_figures: dict[str, list[tuple[str, int, int]]] = {}

    async def ids(self) -> list[str]:
        return sorted(self.rows)

    async def row(self, pool_id: str):
        return self.rows.get(pool_id)

    async def balances(self, pool_id: str, as_of: date | None = None) -> dict[str, int]:
        return self.live.get(pool_id, {}) if as_of is None else self.as_of.get((pool_id, as_of), {})

    async def business_now(self, admdvs: str) -> datetime | None:
        return None

    async def entries(self, pool_id: str, after_id: int, limit: int) -> list:
        return [entry for entry, lines in self.journal
                if entry.id > after_id and any(line.pool_id == pool_id for line in lines)][:limit]

    async def lines(self, pool_id: str, entry_ids: list[int]) -> list:
        return [line for _, lines in self.journal for line in lines
                if line.entry_id in entry_ids and line.pool_id == pool_id]

    async def months(self, pool_id: str) -> list[tuple[str, int, int]]:
        return self.month_figures.get(pool_id, [])


class FakeEvidenceReads:
    """``adapters.read_repositories.EvidenceReads`` over dicts keyed by alert, event and settlement id."""

    def __init__(self) -> None:
        self.alerts: dict[str, SimpleNamespace] = {}
        self.changes: dict[str, list] = {}
        self.journal: dict[str, tuple[SimpleNamespace, list]] = {}
        self.facts: list[SimpleNamespace] = []

    async def alert(self, alert_id: str):
        return self.alerts.get(alert_id)

    async def alert_changes(self, alert_id: str) -> list:
        return self.changes.get(alert_id, [])

    async def entries(self, keys) -> list[tuple]:
        return [self.journal[key] for key in keys if key in self.journal]

    async def facts_of_events(self, event_ids) -> list:
        return [f for f in self.facts if f.event_id in event_ids]

    async def facts_of_settlement(self, setl_id: str) -> list:
        return [f for f in self.facts if f.setl_id == setl_id]


class FakeInstitutionReads:
    """``adapters.read_repositories.InstitutionReads`` over rows as the query answers them (fen)."""

    def __init__(self) -> None:
        self.rows: list[SimpleNamespace] = []

    async def years(self, year: int | None, as_of: date | None = None) -> list:
        return [row for row in self.rows if year is None or row.year == year]


class FakeUnitOfWork(FakeUnitOfWorkBase):
    """Committed events in ``events``; what each command asked to re-evaluate in ``evaluated``."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = FakeLedgerRepository()
        self.pools = FakePoolReads()
        self.evidence = FakeEvidenceReads()
        self.institutions = FakeInstitutionReads()
        self.evaluated: list[Touched] = []

    async def evaluate(self, touched: Touched) -> None:
        self.evaluated.append(touched)
