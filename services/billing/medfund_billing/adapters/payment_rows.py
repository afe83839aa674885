"""Payments of a file chunk written in two statements: stored once per voucher, then matched."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

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


async def insert_new(session: AsyncSession, rows: Sequence[dict]) -> set[str]:
    """Store the rows whose voucher is new (as unmatched); returns the vouchers stored."""
    if not rows:
        return set()
    return set((await bulk.execute_records(session, INSERT, rows, tuple(COLUMNS))).scalars())


async def set_matches(session: AsyncSession, rows: Sequence[dict]) -> None:
    """``{payment_id, psn_no, match}`` for the payments matched to a person."""
    if rows:
        await bulk.execute_records(session, UPDATE, rows, tuple(MATCHED))
