"""Payments from the tax bureau and their corrections: a file chunk's written in two statements (stored once per
voucher, then matched), the suspense list, and the reports read from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, func, select, tuple_, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import corrections, payments
from medfund_shared import bulk

COLUMNS = {"payment_id": bulk.TEXT, "tax_voucher_no": bulk.TEXT, "fingerprint": bulk.TEXT, "certno": bulk.TEXT,
           "psn_name": bulk.TEXT, "insutype": bulk.TEXT, "admdvs": bulk.TEXT, "year": bulk.INT,
           "amount_fen": bulk.BIGINT, "paid_at": bulk.TIMESTAMPTZ, "paid_on": bulk.DATE,
           "tax_office_code": bulk.TEXT, "channel": bulk.TEXT, "batch_id": bulk.TEXT}
INSERT = bulk.statement(
    f"INSERT INTO payments ({', '.join(COLUMNS)}, match) "
    f"SELECT *, 'unmatched' FROM unnest({', '.join(':' + c for c in COLUMNS)}) "
    "ON CONFLICT (tax_voucher_no) DO NOTHING RETURNING tax_voucher_no", COLUMNS)
MATCHED = {"payment_id": bulk.TEXT, "psn_no": bulk.TEXT, "match": bulk.TEXT}
UPDATE = bulk.statement(
    "UPDATE payments AS p SET psn_no = m.psn_no, match = m.match "
    "FROM unnest(:payment_id, :psn_no, :match) AS m(payment_id, psn_no, match) "
    "WHERE p.payment_id = m.payment_id", MATCHED)


def _in_suspense() -> Select:
    """Payments with no person and no refund or reversal."""
    return select(payments).where(payments.c.psn_no.is_(None),
                                  ~payments.c.payment_id.in_(select(corrections.c.payment_id)))


class Payments:
    """``payments`` and ``corrections``."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_new(self, rows: Sequence[dict]) -> set[str]:
        """Store the rows whose voucher is new (as unmatched); returns the vouchers stored."""
        if not rows:
            return set()
        return set((await bulk.execute_records(self.session, INSERT, rows, tuple(COLUMNS))).scalars())

    async def set_matches(self, rows: Sequence[dict]) -> None:
        """``{payment_id, psn_no, match}`` for the payments matched to a person."""
        if rows:
            await bulk.execute_records(self.session, UPDATE, rows, tuple(MATCHED))

    async def fingerprints(self, vouchers: Sequence[str]) -> dict[str, str]:
        """voucher → fingerprint of those of ``vouchers`` stored."""
        if not vouchers:
            return {}
        return dict((await self.session.execute(select(payments.c.tax_voucher_no, payments.c.fingerprint)
                                                .where(payments.c.tax_voucher_no.in_(vouchers)))).all())

    async def by_voucher(self, tax_voucher_no: str, *, for_update: bool = False) -> Row | None:
        query = select(payments).where(payments.c.tax_voucher_no == tax_voucher_no)
        return (await self.session.execute(query.with_for_update() if for_update else query)).first()

    async def by_id(self, payment_id: str) -> Row | None:
        return (await self.session.execute(select(payments).where(payments.c.payment_id == payment_id))).first()

    async def lock_suspended(self, certno: str, year: int, insutype: str, only_payment_id: str | None) -> list[Row]:
        """The suspended payments for this ID number, year and scheme (or the one named), oldest first, locked."""
        query = _in_suspense().order_by(payments.c.paid_at, payments.c.tax_voucher_no).with_for_update()
        if only_payment_id is None:
            query = query.where(payments.c.certno == certno, payments.c.year == year, payments.c.insutype == insutype)
        else:
            query = query.where(payments.c.payment_id == only_payment_id)
        return list((await self.session.execute(query)).all())

    async def set_match(self, payment_id: str, psn_no: str, match: str) -> None:
        await self.session.execute(update(payments).where(payments.c.payment_id == payment_id)
                                   .values(psn_no=psn_no, match=match))

    async def correction_of(self, payment_id: str) -> Row | None:
        return (await self.session.execute(
            select(corrections).where(corrections.c.payment_id == payment_id))).first()

    async def add_correction(self, **values: object) -> None:
        await self.session.execute(corrections.insert().values(**values))

    async def of_office_day(self, tax_office_code: str, day: date) -> list[Row]:
        """(tax_voucher_no, amount_fen) of the payments an office accepted on a local day."""
        return list((await self.session.execute(select(payments.c.tax_voucher_no, payments.c.amount_fen).where(
            payments.c.tax_office_code == tax_office_code, payments.c.paid_on == day))).all())

    async def live_by_channel(self, admdvs: str, year: int) -> list[tuple[str, int, int]]:
        """(channel, payments, fen) of the payments of a region-year never refunded or reversed."""
        live = ~payments.c.payment_id.in_(select(corrections.c.payment_id))
        rows = (await self.session.execute(
            select(payments.c.channel, func.count(), func.sum(payments.c.amount_fen))
            .where(payments.c.admdvs == admdvs, payments.c.year == year, live)
            .group_by(payments.c.channel).order_by(payments.c.channel))).all()
        return [(channel, count, int(fen)) for channel, count, fen in rows]

    async def suspense_page(self, limit: int, after: str | None) -> list[Row]:
        query = _in_suspense().order_by(payments.c.payment_id).limit(limit)
        if after is not None:
            query = query.where(payments.c.payment_id > after)
        return list((await self.session.execute(query)).all())

    async def with_corrections(self, person_years: list[tuple[str, int]]) -> list[Row]:
        """The payments of these person-years with the kind of their correction (None: none), oldest first."""
        if not person_years:
            return []
        return list((await self.session.execute(
            select(payments.c.psn_no, payments.c.year, payments.c.payment_id, payments.c.tax_voucher_no,
                   payments.c.amount_fen, payments.c.paid_at, corrections.c.kind)
            .outerjoin(corrections, corrections.c.payment_id == payments.c.payment_id)
            .where(tuple_(payments.c.psn_no, payments.c.year).in_(person_years))
            .order_by(payments.c.paid_at, payments.c.tax_voucher_no))).all())
