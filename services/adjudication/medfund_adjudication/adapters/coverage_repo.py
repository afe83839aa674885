"""The coverage read model (from enrollment events) and employees' individual account balances."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Text, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.tables import account_credits, accounts, coverage, employment, person_cards
from medfund_adjudication.domain.coverage import CategoryChange, Coverage, Suspension
from medfund_shared.money import Money


def from_row(row) -> Coverage:
    suspensions = tuple(Suspension(date.fromisoformat(s["since"]), s["until"] and date.fromisoformat(s["until"]))
                        for s in row.suspensions)
    changes = tuple(CategoryChange(date.fromisoformat(c["since"]), c["category"], c["tier"])
                    for c in row.category_changes)
    return Coverage(row.psn_no, row.insutype, row.year, row.admdvs, row.certno, row.psn_name, row.gend, row.brdy,
                    row.category, row.tier, row.coverage_from, row.coverage_to, row.pack_id, suspensions,
                    row.terminated_on, changes)


def _to_row(c: Coverage) -> dict:
    return {"psn_no": c.psn_no, "insutype": c.insutype, "year": c.year, "admdvs": c.admdvs, "certno": c.certno,
            "psn_name": c.psn_name, "gend": c.gend, "brdy": c.brdy, "category": c.category, "tier": c.tier,
            "coverage_from": c.coverage_from, "coverage_to": c.coverage_to, "pack_id": c.pack_id,
            "suspensions": [{"since": s.since.isoformat(), "until": s.until and s.until.isoformat()}
                            for s in c.suspensions],
            "terminated_on": c.terminated_on,
            "category_changes": [{"since": ch.since.isoformat(), "category": ch.category, "tier": ch.tier}
                                 for ch in c.category_changes]}


_PERSON = bindparam("psn_no", type_=Text)
_BALANCE = select(accounts.c.balance_fen).where(accounts.c.psn_no == _PERSON)
_CREDIT_ONCE = (pg_insert(account_credits)
                .values(credit_id=bindparam("credit_id", type_=Text), psn_no=_PERSON,
                        amount_fen=bindparam("amount_fen"))
                .on_conflict_do_nothing().returning(account_credits.c.credit_id))
"""The credit's id, or nothing when this credit was made before."""
_NEW_BALANCE = pg_insert(accounts).values(psn_no=_PERSON, balance_fen=bindparam("amount_fen"))
_ADD_TO_BALANCE = _NEW_BALANCE.on_conflict_do_update(
    index_elements=["psn_no"], set_={"balance_fen": accounts.c.balance_fen + _NEW_BALANCE.excluded.balance_fen})


class CoverageRepository:
    """Covers, social security cards, employment and account balances, on the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, psn_no: str, insutype: str, year: int) -> Coverage | None:
        row = (await self._session.execute(select(coverage).where(
            coverage.c.psn_no == psn_no, coverage.c.insutype == insutype, coverage.c.year == year))).first()
        return None if row is None else from_row(row)

    async def of_person(self, *, year: int, psn_no: str | None = None, certno: str | None = None,
                        ssc_no: str | None = None) -> list[Coverage]:
        """The person's cover in ``year`` by person number, else by ID number, else by social security card number."""
        query = select(coverage).where(coverage.c.year == year)
        if psn_no:
            query = query.where(coverage.c.psn_no == psn_no)
        elif certno:
            query = query.where(coverage.c.certno == certno)
        else:
            cards = select(person_cards.c.psn_no).where(person_cards.c.ssc_no == ssc_no)
            query = query.where(coverage.c.psn_no.in_(cards))
        return [from_row(r) for r in await self._session.execute(query.order_by(coverage.c.insutype))]

    async def save(self, c: Coverage) -> None:
        values = _to_row(c)
        stmt = pg_insert(coverage).values(values)
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=["psn_no", "insutype", "year"],
            set_={k: stmt.excluded[k] for k in values if k not in ("psn_no", "insutype", "year")}))

    async def balance(self, psn_no: str) -> Money | None:
        fen = await self._session.scalar(_BALANCE, {"psn_no": psn_no})
        return None if fen is None else Money(fen)

    async def record_card(self, psn_no: str, ssc_no: str) -> None:
        """The person's social security card number; a later registration's number replaces an earlier one."""
        stmt = pg_insert(person_cards).values(psn_no=psn_no, ssc_no=ssc_no)
        await self._session.execute(stmt.on_conflict_do_update(index_elements=["psn_no"],
                                                               set_={"ssc_no": stmt.excluded.ssc_no}))

    async def retired(self, psn_no: str) -> bool:
        """Whether billing's latest word on the employee says retired (False when there is none)."""
        return bool(await self._session.scalar(select(employment.c.retired).where(employment.c.psn_no == psn_no)))

    async def credit(self, credit_id: str, psn_no: str, amount: Money) -> None:
        """Add ``amount`` once per ``credit_id``: billing's credits, and a reversal giving an account payment back
        (a settlement debits in its own statement, :mod:`medfund_adjudication.adapters.settling`)."""
        params = {"credit_id": credit_id, "psn_no": psn_no, "amount_fen": amount.fen}
        if await self._session.scalar(_CREDIT_ONCE, params) is not None:
            await self._session.execute(_ADD_TO_BALANCE, params)

    async def record_employment(self, psn_no: str, period: str, retired: bool) -> None:
        """Keep the status of the latest period seen (billing may send an earlier month late)."""
        stmt = pg_insert(employment).values(psn_no=psn_no, period=period, retired=retired)
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=["psn_no"], set_={"period": stmt.excluded.period, "retired": stmt.excluded.retired},
            where=employment.c.period <= stmt.excluded.period))
