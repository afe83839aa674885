"""Admissions and their fee details; bulk statements, never one round trip per fee item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, and_, cast, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.tables import admissions, fee_details
from medfund_adjudication.domain.admission import Admission, RecordedVisit
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_adjudication.domain.refunds import Refundable
from medfund_shared.money import Money


def admission_of(row) -> Admission:
    return Admission(row.mdtrt_id, row.psn_no, row.insutype, row.fixmedins_code, row.med_type, row.begntime,
                     row.referred, tuple(row.disease_codes), row.endtime, row.cancelled_at, row.mdtrt_cert_type)


class AdmissionRepository:
    """Admissions and their fee details, on the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, admission: Admission, ipt_otp_no: str | None) -> None:
        await self._session.execute(insert(admissions).values(
            mdtrt_id=admission.mdtrt_id, fixmedins_code=admission.fixmedins_code, psn_no=admission.psn_no,
            insutype=admission.insutype, med_type=admission.med_type, ipt_otp_no=ipt_otp_no,
            mdtrt_cert_type=admission.mdtrt_cert_type,
            begntime=admission.begntime, referred=admission.referred, disease_codes=list(admission.disease_codes)))

    async def get(self, mdtrt_id: str, *, lock: bool = False) -> Admission | None:
        query = select(admissions).where(admissions.c.mdtrt_id == mdtrt_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return None if row is None else admission_of(row)

    async def get_many(self, mdtrt_ids: set[str]) -> dict[str, Admission]:
        rows = await self._session.execute(select(admissions).where(admissions.c.mdtrt_id.in_(mdtrt_ids)))
        return {r.mdtrt_id: admission_of(r) for r in rows}

    async def discharge(self, mdtrt_id: str, endtime: datetime, dscg_way: str | None) -> None:
        await self._session.execute(update(admissions).where(admissions.c.mdtrt_id == mdtrt_id)
                              .values(endtime=endtime, dscg_way=dscg_way))

    async def existing_serials(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (mdtrt_id, feedetl_sn) pairs are already uploaded and not cancelled."""
        rows = await self._session.execute(select(fee_details.c.mdtrt_id, fee_details.c.feedetl_sn).where(
            fee_details.c.mdtrt_id.in_({k[0] for k in keys}), fee_details.c.feedetl_sn.in_({k[1] for k in keys}),
            fee_details.c.cancelled.is_(False)))
        return {(r.mdtrt_id, r.feedetl_sn) for r in rows} & set(keys)

    async def add_fees(self, lines: list[FeeLine], upload_key: str | None = None) -> None:
        """Insert, replacing cancelled details that reuse a serial number; ``upload_key`` is the upload's request key
        (a 2601 finds the details of an upload by it)."""
        stmt = pg_insert(fee_details).values([{
            "mdtrt_id": f.mdtrt_id, "feedetl_sn": f.feedetl_sn, "med_list_codg": f.med_list_codg,
            "medins_list_codg": f.medins_list_codg, "fee_ocur_time": f.fee_ocur_time, "cnt": f.cnt, "pric": f.pric,
            "det_item_fee_sumamt_fen": f.det_item_fee_sumamt.fen, "cancelled": False, "setl_id": None,
            "upload_key": upload_key, "init_feedetl_sn": f.init_feedetl_sn} for f in lines])
        await self._session.execute(stmt.on_conflict_do_update(
            index_elements=["mdtrt_id", "feedetl_sn"],
            set_={c: stmt.excluded[c] for c in ("med_list_codg", "medins_list_codg", "fee_ocur_time", "cnt", "pric",
                                                "det_item_fee_sumamt_fen", "cancelled", "setl_id", "upload_key",
                                                "init_feedetl_sn")}))

    async def refundable(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Refundable]:
        """The uncancelled details at ``(mdtrt_id, feedetl_sn)`` that refund lines point at, each with the totals of
        its uncancelled refunds."""
        refunds = fee_details.alias("refunds")
        rows = await self._session.execute(
            select(fee_details.c.mdtrt_id, fee_details.c.feedetl_sn, fee_details.c.cnt,
                   fee_details.c.det_item_fee_sumamt_fen, fee_details.c.setl_id, fee_details.c.init_feedetl_sn,
                   func.coalesce(func.sum(refunds.c.cnt), 0).label("refunded_cnt"),
                   cast(func.coalesce(func.sum(refunds.c.det_item_fee_sumamt_fen), 0), BigInteger)
                   .label("refunded_fen"))
            .outerjoin(refunds, and_(refunds.c.mdtrt_id == fee_details.c.mdtrt_id,
                                     refunds.c.init_feedetl_sn == fee_details.c.feedetl_sn,
                                     refunds.c.cancelled.is_(False)))
            .where(tuple_(fee_details.c.mdtrt_id, fee_details.c.feedetl_sn).in_(list(keys)),
                   fee_details.c.cancelled.is_(False))
            .group_by(fee_details.c.mdtrt_id, fee_details.c.feedetl_sn))
        return {(r.mdtrt_id, r.feedetl_sn): Refundable(r.feedetl_sn, r.cnt, Money(r.det_item_fee_sumamt_fen),
                                                       r.setl_id is not None, r.init_feedetl_sn is not None,
                                                       -r.refunded_cnt, Money(-r.refunded_fen)) for r in rows}

    async def cancel_fees(self, mdtrt_id: str, feedetl_sn: str | None) -> int:
        """Cancel one unsettled detail (with its refund lines), or all of them when ``feedetl_sn`` is None; the number
        of details cancelled, refund lines included."""
        condition = and_(fee_details.c.mdtrt_id == mdtrt_id, fee_details.c.cancelled.is_(False),
                         fee_details.c.setl_id.is_(None))
        if feedetl_sn is not None:
            condition = and_(condition, or_(fee_details.c.feedetl_sn == feedetl_sn,
                                            fee_details.c.init_feedetl_sn == feedetl_sn))
        result = await self._session.execute(update(fee_details).where(condition).values(cancelled=True))
        return result.rowcount

    async def release(self, mdtrt_id: str, setl_id: str) -> None:
        """Free the details a reversed settlement had consumed (refund lines included): they can be settled again."""
        await self._session.execute(update(fee_details).where(fee_details.c.mdtrt_id == mdtrt_id,
                                                        fee_details.c.setl_id == setl_id)
                              .values(setl_id=None))

    async def uploaded_with(self, upload_key: str) -> list:
        """The fee details an upload stored (mdtrt_id, feedetl_sn, cancelled, setl_id), in serial order."""
        t = fee_details.c
        rows = await self._session.execute(select(t.mdtrt_id, t.feedetl_sn, t.cancelled, t.setl_id)
                                     .where(t.upload_key == upload_key).order_by(t.mdtrt_id, t.feedetl_sn)
                                     .with_for_update())
        return list(rows)

    async def cancel_uploaded(self, upload_key: str) -> int:
        """Cancel the unsettled details an upload stored; the number cancelled."""
        t = fee_details.c
        result = await self._session.execute(update(fee_details).where(t.upload_key == upload_key,
                                                                       t.cancelled.is_(False),
                                                                 t.setl_id.is_(None)).values(cancelled=True))
        return result.rowcount

    async def settled_details(self, mdtrt_id: str) -> int:
        """How many of the admission's details a settlement consumed (and no reversal freed)."""
        t = fee_details.c
        rows = await self._session.execute(select(t.feedetl_sn).where(t.mdtrt_id == mdtrt_id, t.setl_id.is_not(None)))
        return len(rows.all())

    async def cancel_admission(self, mdtrt_id: str, at: datetime) -> None:
        """Mark the registration cancelled and cancel its unsettled details."""
        await self.cancel_fees(mdtrt_id, None)
        await self._session.execute(update(admissions).where(admissions.c.mdtrt_id == mdtrt_id).values(cancelled_at=at))

    async def visits(self, fixmedins_code: str, psn_no: str, begin: datetime | None,
                     end: datetime | None, med_type: str | None, mdtrt_id: str | None) -> list[RecordedVisit]:
        """The person's admissions at the institution that began in [begin, end], oldest first."""
        t = admissions.c
        query = select(admissions).where(t.fixmedins_code == fixmedins_code, t.psn_no == psn_no)
        if begin is not None:
            query = query.where(t.begntime >= begin)
        if end is not None:
            query = query.where(t.begntime <= end)
        if med_type is not None:
            query = query.where(t.med_type == med_type)
        if mdtrt_id is not None:
            query = query.where(t.mdtrt_id == mdtrt_id)
        rows = await self._session.execute(query.order_by(t.begntime, t.mdtrt_id))
        return [RecordedVisit(admission_of(row), row.ipt_otp_no, row.dscg_way) for row in rows]

    async def has_visited(self, fixmedins_code: str, psn_no: str) -> bool:
        return await self._session.scalar(select(admissions.c.mdtrt_id).where(
            admissions.c.fixmedins_code == fixmedins_code, admissions.c.psn_no == psn_no).limit(1)) is not None

    async def details(self, mdtrt_id: str) -> list[tuple[FeeLine, str | None]]:
        """The admission's fee details that are not cancelled, each with the settlement that consumed it."""
        t = fee_details.c
        rows = await self._session.execute(select(fee_details).join(admissions, admissions.c.mdtrt_id == t.mdtrt_id)
                                     .add_columns(admissions.c.psn_no)
                                     .where(t.mdtrt_id == mdtrt_id, t.cancelled.is_(False)).order_by(t.feedetl_sn))
        return [(FeeLine(r.feedetl_sn, r.mdtrt_id, r.psn_no, r.med_list_codg, r.medins_list_codg, r.fee_ocur_time,
                         r.cnt, r.pric, Money(r.det_item_fee_sumamt_fen), r.init_feedetl_sn), r.setl_id) for r in rows]
