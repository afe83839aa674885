"""A change that lands between a settlement's read and its write (the settlement holds no lock then).

Each test makes the change at exactly that moment: the settlement's read of the person's state is wrapped
so that, after it, a real concurrent request goes through the gateway before the settlement writes.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from medfund_adjudication.adapters import settling

pytestmark = pytest.mark.integration

HOSPITAL = "H211302T"
FEE = "20000.00"


async def _admitted(gateway, psn_no: str, day: int, fees: list[str]) -> str:
    admitted, _ = await gateway.call("2401", HOSPITAL, {"mdtrtinfo": {
        "psn_no": psn_no, "insutype": "390", "med_type": "21", "begntime": f"2026-05-{day:02d} 09:00:00"}})
    assert admitted["infcode"] == 0, admitted["err_msg"]
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    uploaded, _ = await gateway.call("2301", HOSPITAL, {"feedetail": [{
        "feedetl_sn": str(n), "mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_list_codg": "TA",
        "det_item_fee_sumamt": amount, "cnt": "1", "pric": amount} for n, amount in enumerate(fees, 1)]})
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    await gateway.discharge(HOSPITAL, psn_no, mdtrt_id)
    return mdtrt_id


async def _settle(gateway, psn_no: str, mdtrt_id: str, total: str) -> dict:
    answer, _ = await gateway.call("2304", HOSPITAL, {"data": {
        "psn_no": psn_no, "mdtrt_id": mdtrt_id, "medfee_sumamt": total, "insutype": "390",
        "medins_setl_id": secrets.token_hex(8)}})
    return answer


def _after_the_first_read(monkeypatch, change) -> list[str]:
    """Run ``change()`` once, right after the first read of a person's state; returns the admissions read."""
    read, original = [], settling.settlement_reading

    async def settlement_reading(db, mdtrt_id, medins_setl_id, request_key=None):
        reading = await original(db, mdtrt_id, medins_setl_id, request_key)
        read.append(mdtrt_id)
        if len(read) == 1:
            await change()
        return reading

    monkeypatch.setattr(settling, "settlement_reading", settlement_reading)
    return read


async def _stored(settings, psn_no: str, mdtrt_id: str) -> dict:
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT (SELECT count(*) FROM settlements WHERE mdtrt_id = :m) AS settlements,"
                " (SELECT count(*) FROM fee_details WHERE mdtrt_id = :m AND setl_id IS NOT NULL) AS tied,"
                " (SELECT count(*) FROM outbox WHERE payload->>'mdtrt_id' = :m) AS events,"
                " (SELECT inpatient_paid_fen FROM accumulators WHERE psn_no = :p) AS paid_fen,"
                " (SELECT version FROM accumulators WHERE psn_no = :p) AS version"),
                {"m": mdtrt_id, "p": psn_no})).one()
        return dict(row._mapping)
    finally:
        await engine.dispose()


async def test_a_settlement_for_the_same_person_in_between_is_not_overwritten(gateway, monkeypatch):
    """The write would set the totals it computed from a stale read; instead it finds their version moved on
    and settles again under the lock, from the totals the other settlement left."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await gateway.wait_covered(psn, "2026-05-01")
    first, second = await _admitted(gateway, psn, 2, [FEE]), await _admitted(gateway, psn, 3, [FEE])
    answers = {}

    async def settle_second():
        answers["second"] = await _settle(gateway, psn, second, FEE)

    read = _after_the_first_read(monkeypatch, settle_second)
    answers["first"] = await _settle(gateway, psn, first, FEE)

    assert [a["infcode"] for a in answers.values()] == [0, 0], [a["err_msg"] for a in answers.values()]
    assert read == [first, second, first, first], "the first settlement read again, then again under the lock"
    paid = sum(Decimal(str(a["output"]["setlinfo"]["hifp_pay"])) for a in answers.values())
    stored = await _stored(gateway.settings, psn, first)
    assert stored["paid_fen"] == paid * 100 and stored["version"] == 2
    assert (stored["settlements"], stored["tied"], stored["events"]) == (1, 1, 1)


async def test_a_fee_detail_cancelled_in_between_rolls_the_whole_write_back(gateway, monkeypatch):
    """The totals' version does not cover fee details: the write ties fewer than it read, so it undoes itself
    (totals included), and the settlement under the lock sees the cancelled detail and refuses."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await gateway.wait_covered(psn, "2026-05-01")
    mdtrt_id = await _admitted(gateway, psn, 4, ["12000.00", "8000.00"])

    async def cancel_one():
        cancelled, _ = await gateway.call("2302", HOSPITAL, {"data": {
            "feedetl_sn": "2", "mdtrt_id": mdtrt_id, "psn_no": psn}})
        assert cancelled["infcode"] == 0, cancelled["err_msg"]

    _after_the_first_read(monkeypatch, cancel_one)
    answer = await _settle(gateway, psn, mdtrt_id, FEE)

    assert answer["infcode"] == -1
    assert "differs from the uploaded fee details' total 12000.00" in answer["err_msg"]
    stored = await _stored(gateway.settings, psn, mdtrt_id)
    assert (stored["settlements"], stored["tied"], stored["events"]) == (0, 0, 0)
    assert stored["paid_fen"] is None and stored["version"] is None, "the person's totals were never written"
