"""``FakeUnitOfWork``: billing's use cases against in-memory repositories (fakes over mocks, no I/O).

Each fake keeps rows as dicts and answers with ``SimpleNamespace`` rows, read by attribute as the SQL
repositories' rows are; locks are no-ops (one test, one task)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from medfund_billing.domain.matching import PremiumAccount
from medfund_shared.money import Money
from medfund_shared.unit_of_work import FakeUnitOfWorkBase

CertKey = tuple[str, int, str]
PersonYear = tuple[str, int]


def _row(values: dict) -> SimpleNamespace:
    return SimpleNamespace(**values)


def _account(row: dict) -> PremiumAccount:
    return PremiumAccount(psn_no=row["psn_no"], year=row["year"], certno=row["certno"], admdvs=row["admdvs"],
                          insutype=row["insutype"], pack_id=row["pack_id"], premium_due=Money(row["premium_due_fen"]),
                          paid=Money(row["paid_fen"]), paid_in_full=row["paid_in_full"])


@dataclass
class FakeAccounts:
    rows: dict[PersonYear, dict] = field(default_factory=dict)

    async def lock_identities(self, keys: Iterable[CertKey]) -> None:
        """Nothing to serialise in one task."""

    async def lock_by_certno(self, keys: Iterable[CertKey]) -> dict[CertKey, PremiumAccount]:
        wanted = set(keys)
        return {(r["certno"], r["year"], r["insutype"]): _account(r) for r in self.rows.values()
                if (r["certno"], r["year"], r["insutype"]) in wanted}

    async def lock_one(self, psn_no: str, year: int) -> PremiumAccount | None:
        row = self.rows.get((psn_no, year))
        return _account(row) if row else None

    async def save(self, accounts: Iterable[PremiumAccount]) -> None:
        for a in accounts:
            self.rows[(a.psn_no, a.year)].update(premium_due_fen=a.premium_due.fen, paid_fen=a.paid.fen,
                                                 paid_in_full=a.paid_in_full)

    async def open(self, **values: object) -> bool:
        key = (values["psn_no"], values["year"])
        if key in self.rows:
            return False
        self.rows[key] = {"on_behalf_paid_fen": 0, "paid_fen": 0, "paid_in_full": False, "terminated_on": None,
                          "coverage_refused_reason": None, "coverage_refusal_message": None,
                          "coverage_refused_at": None, **values}
        return True

    async def update(self, psn_no: str, year: int, **values: object) -> SimpleNamespace | None:
        row = self.rows.get((psn_no, year))
        if row is None:
            return None
        row.update(values)
        return _row(row)

    async def short_of_on_behalf(self, person_years: list[PersonYear]) -> list[SimpleNamespace]:
        return [_row(self.rows[k]) for k in sorted(set(person_years)) if k in self.rows
                and self.rows[k]["on_behalf_paid_fen"] < self.rows[k]["on_behalf_due_fen"]]

    async def refused_page(self, limit: int, after: PersonYear | None) -> list[SimpleNamespace]:
        keys = sorted(k for k, r in self.rows.items() if r["coverage_refused_reason"] is not None
                      and (after is None or k > after))
        return [_row(self.rows[k]) for k in keys[:limit]]

    async def dues(self, admdvs: str, year: int) -> tuple[int, int, int, int]:
        mine = [r for r in self.rows.values() if (r["admdvs"], r["year"]) == (admdvs, year)]
        return (len(mine), sum(r["premium_due_fen"] for r in mine),
                sum(min(r["paid_fen"], r["premium_due_fen"]) for r in mine), sum(r["paid_in_full"] for r in mine))


@dataclass
class FakePayments:
    rows: dict[str, dict] = field(default_factory=dict)
    """payment_id → the payment."""
    corrections: dict[str, dict] = field(default_factory=dict)
    """payment_id → its refund or reversal."""

    def _by_voucher(self, voucher: str) -> dict | None:
        return next((r for r in self.rows.values() if r["tax_voucher_no"] == voucher), None)

    async def insert_new(self, rows: Sequence[dict]) -> set[str]:
        stored = set()
        for row in rows:
            if self._by_voucher(row["tax_voucher_no"]) is None:
                self.rows[row["payment_id"]] = {**row, "psn_no": None, "match": "unmatched"}
                stored.add(row["tax_voucher_no"])
        return stored

    async def set_matches(self, rows: Sequence[dict]) -> None:
        for row in rows:
            self.rows[row["payment_id"]].update(psn_no=row["psn_no"], match=row["match"])

    async def fingerprints(self, vouchers: Sequence[str]) -> dict[str, str]:
        return {v: row["fingerprint"] for v in vouchers if (row := self._by_voucher(v)) is not None}

    async def by_voucher(self, tax_voucher_no: str, *, for_update: bool = False) -> SimpleNamespace | None:
        row = self._by_voucher(tax_voucher_no)
        return _row(row) if row else None

    async def by_id(self, payment_id: str) -> SimpleNamespace | None:
        return _row(self.rows[payment_id]) if payment_id in self.rows else None

    def _suspended(self) -> list[dict]:
        return [r for r in self.rows.values() if r["psn_no"] is None and r["payment_id"] not in self.corrections]

    async def lock_suspended(self, certno: str, year: int, insutype: str,
                             only_payment_id: str | None) -> list[SimpleNamespace]:
        found = [r for r in self._suspended() if (r["payment_id"] == only_payment_id if only_payment_id
                                                   else (r["certno"], r["year"], r["insutype"]) == (certno, year,
                                                                                                     insutype))]
        return [_row(r) for r in sorted(found, key=lambda r: (r["paid_at"], r["tax_voucher_no"]))]

    async def set_match(self, payment_id: str, psn_no: str, match: str) -> None:
        self.rows[payment_id].update(psn_no=psn_no, match=match)

    async def correction_of(self, payment_id: str) -> SimpleNamespace | None:
        return _row(self.corrections[payment_id]) if payment_id in self.corrections else None

    async def add_correction(self, **values: object) -> None:
        self.corrections[values["payment_id"]] = values

    async def of_office_day(self, tax_office_code: str, day: date) -> list[SimpleNamespace]:
        return [_row(r) for r in self.rows.values() if (r["tax_office_code"], r["paid_on"]) == (tax_office_code, day)]

    async def live_by_channel(self, admdvs: str, year: int) -> list[tuple[str, int, int]]:
        live = [r for r in self.rows.values()
                if (r["admdvs"], r["year"]) == (admdvs, year) and r["payment_id"] not in self.corrections]
        return [(c, sum(1 for r in live if r["channel"] == c), sum(r["amount_fen"] for r in live if r["channel"] == c))
                for c in sorted({r["channel"] for r in live})]

    async def suspense_page(self, limit: int, after: str | None) -> list[SimpleNamespace]:
        found = sorted((r for r in self._suspended() if after is None or r["payment_id"] > after),
                       key=lambda r: r["payment_id"])
        return [_row(r) for r in found[:limit]]

    async def with_corrections(self, person_years: list[PersonYear]) -> list[SimpleNamespace]:
        found = [r for r in self.rows.values() if (r["psn_no"], r["year"]) in set(person_years)]
        return [_row({**r, "kind": self.corrections.get(r["payment_id"], {}).get("kind")})
                for r in sorted(found, key=lambda r: (r["paid_at"], r["tax_voucher_no"]))]


@dataclass
class FakeGovernmentMoney:
    subsidies: list[dict] = field(default_factory=list)
    on_behalf: list[dict] = field(default_factory=list)

    async def add_subsidies(self, rows: Sequence[dict]) -> list[PersonYear]:
        stored = []
        for row in rows:
            key = (row["psn_no"], row["year"])
            if not any((s["psn_no"], s["year"]) == key and s["withdrawn_at"] is None for s in self.subsidies):
                self.subsidies.append({**row, "shares": json.loads(row["shares"]), "withdrawn_at": None,
                                       "withdrawal_id": None})
                stored.append(key)
        return stored

    async def withdraw_subsidy(self, psn_no: str, year: int, correction_id: str,
                               at: datetime) -> SimpleNamespace | None:
        for s in self.subsidies:
            if (s["psn_no"], s["year"]) == (psn_no, year) and s["withdrawn_at"] is None:
                s.update(withdrawn_at=at, withdrawal_id=correction_id)
                return _row(s)
        return None

    async def add_on_behalf(self, **values: object) -> None:
        self.on_behalf.append({**values, "withdrawn_at": None, "withdrawal_id": None})

    async def withdraw_on_behalf(self, psn_no: str, year: int, correction_id: str,
                                 at: datetime) -> list[SimpleNamespace]:
        found = [p for p in self.on_behalf if (p["psn_no"], p["year"]) == (psn_no, year) and p["withdrawn_at"] is None]
        for p in found:
            p.update(withdrawn_at=at, withdrawal_id=correction_id)
        return [_row(p) for p in sorted(found, key=lambda p: (p["paid_at"], p["payment_id"]))]


@dataclass
class FakeEmployeeContributions:
    members: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)

    async def add_member(self, **values: object) -> None:
        if not any((m["psn_no"], m["year"]) == (values["psn_no"], values["year"]) for m in self.members):
            self.members.append({"terminated_on": None, **values})

    async def terminate_member(self, psn_no: str, year: int, on: date) -> None:
        for m in self.members:
            if (m["psn_no"], m["year"]) == (psn_no, year):
                m["terminated_on"] = on

    async def members_by_psn_no(self, psn_nos: list[str], year: int) -> dict[str, SimpleNamespace]:
        return {m["psn_no"]: _row(m) for m in self.members if m["psn_no"] in psn_nos and m["year"] == year}

    async def members_by_certno(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], SimpleNamespace]:
        wanted = set(keys)
        return {(m["certno"], m["year"]): _row(m) for m in self.members if (m["certno"], m["year"]) in wanted}

    async def months_paid_by(self, payer: str, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        wanted = set(keys)
        return {(m["certno"], m["period"]) for m in self.months
                if m["payer"] == payer and m.get("withdrawn_at") is None and (m["certno"], m["period"]) in wanted}

    async def lock_declared(self, employer_code: str, period: str, certnos: list[str]) -> dict[str, SimpleNamespace]:
        return {m["certno"]: _row(m) for m in self.months
                if (m["employer_code"], m["period"]) == (employer_code, period) and m["certno"] in certnos}

    async def add_month(self, row: dict) -> None:
        self.months.append({"tax_voucher_no": None, "withdrawn_at": None, "withdrawal_id": None, **row})

    async def withdraw_month(self, tax_voucher_no: str, payer: str, correction_id: str, at: datetime
                             ) -> SimpleNamespace:
        (month,) = [m for m in self.months if m["tax_voucher_no"] == tax_voucher_no and m["payer"] == payer
                    and m["withdrawn_at"] is None]
        month.update(withdrawn_at=at, withdrawal_id=correction_id)
        return _row(month)

    async def employer_region(self, employer_code: str) -> str | None:
        mine = sorted((m for m in self.months if m["employer_code"] == employer_code), key=lambda m: m["period"])
        return mine[-1]["admdvs"] if mine else None

    async def declared_fen_by_period(self, employer_code: str) -> dict[str, int]:
        totals: dict[str, int] = {}
        for m in self.months:
            if m["employer_code"] == employer_code:
                totals[m["period"]] = totals.get(m["period"], 0) + m["employer_fen"] + m["employee_fen"]
        return totals

    async def region_latest_period(self, admdvs: str) -> str | None:
        return max((m["period"] for m in self.months if m["admdvs"] == admdvs), default=None)


@dataclass
class FakeAppropriations:
    rows: dict[str, dict] = field(default_factory=dict)

    async def add(self, **values: object) -> bool:
        if values["appropriation_id"] in self.rows:
            return False
        self.rows[values["appropriation_id"]] = values
        return True

    async def get(self, appropriation_id: str) -> SimpleNamespace:
        return _row(self.rows[appropriation_id])


@dataclass
class FakeBatchFiles:
    """A staged tax file (``records``: line → bytes) and what processing it records."""

    batches: dict[str, dict] = field(default_factory=dict)
    records: dict[str, dict[int, bytes]] = field(default_factory=dict)
    chunks: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    async def get(self, batch_id: str) -> SimpleNamespace | None:
        return _row(self.batches[batch_id]) if batch_id in self.batches else None

    async def records_after(self, batch_id: str, last_line: int, limit: int) -> list[tuple[int, bytes]]:
        return sorted((n, raw) for n, raw in self.records.get(batch_id, {}).items() if n > last_line)[:limit]

    async def last_applied_line(self, batch_id: str) -> int:
        return self.batches[batch_id]["last_line"]

    async def reject(self, batch_id: str, rejections: list[dict]) -> None:
        self.rejected += [{"batch_id": batch_id, **r} for r in rejections]

    async def rejections(self, batch_id: str, offset: int, limit: int) -> list[dict]:
        mine = sorted((r for r in self.rejected if r["batch_id"] == batch_id), key=lambda r: r["line"])
        return [{k: v for k, v in r.items() if k != "batch_id"} for r in mine[offset:offset + limit]]

    async def record_chunk(self, batch_id: str, outcome: object) -> None:
        self.chunks.append({"batch_id": batch_id, **outcome.__dict__})
        batch = self.batches[batch_id]
        batch["last_line"] = outcome.last_line
        for name in ("received", "accepted", "duplicates", "rejected"):
            batch[name] = sum(c[name] for c in self.chunks if c["batch_id"] == batch_id)

    async def drop_records(self, batch_id: str) -> None:
        self.records.pop(batch_id, None)


class FakeUnitOfWork(FakeUnitOfWorkBase):
    """Events in ``events`` once committed; the repositories' dicts and lists are what "the database" holds.

    Unlike the database, the fakes do not undo writes on a rollback: a test of a refusal checks what was
    written before the refusal is nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.accounts = FakeAccounts()
        self.payments = FakePayments()
        self.government = FakeGovernmentMoney()
        self.employees = FakeEmployeeContributions()
        self.appropriations = FakeAppropriations()
        self.batches = FakeBatchFiles()
