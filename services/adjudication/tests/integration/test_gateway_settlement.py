"""Settlement through the NHSA gateway on the real database and broker: the rules around the worked examples."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from adjudication_gateway import activated, amounts, publish
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.integration


async def _covered_admission_with_one_fee(gateway, begntime: str, fee: int) -> tuple[str, str]:
    """(psn_no, mdtrt_id): a covered resident admitted at H211302S with one uploaded fee of ``fee`` yuan."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await gateway.settle_when_covered("H211302S", psn, "390", [("TA", "100.00", "1")])
    admitted, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "med_type": "21", "begntime": begntime}})
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    await gateway.call("2301", "H211302S", {"feedetail": [{"feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": psn,
                                                           "med_list_codg": "TA", "det_item_fee_sumamt": fee,
                                                           "cnt": "1", "pric": str(fee)}]})
    await gateway.discharge("H211302S", psn, mdtrt_id, begntime)
    return psn, mdtrt_id


async def test_a_repeated_msgid_returns_the_first_answer_byte_for_byte(gateway):
    psn, mdtrt_id = await _covered_admission_with_one_fee(gateway, "2026-04-01 09:00:00", 1000)
    data = {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id, "medfee_sumamt": "1000.00", "medins_setl_id": "M-1"}}
    first, first_bytes = await gateway.call("2304", "H211302S", data, msgid="H211302S-RETRY-1" + psn)
    again, again_bytes = await gateway.call("2304", "H211302S", data, msgid="H211302S-RETRY-1" + psn)
    assert first["infcode"] == 0 and again_bytes == first_bytes
    changed = {"data": {**data["data"], "medfee_sumamt": "999.00"}}
    conflict, _ = await gateway.call("2304", "H211302S", changed, msgid="H211302S-RETRY-1" + psn)
    assert conflict["infcode"] == -1 and "msgid" in conflict["err_msg"]
    twice, _ = await gateway.call("2304", "H211302S", data)
    assert twice["infcode"] == -1


async def test_concurrent_retries_of_one_msgid_all_get_the_one_settlement(gateway):
    """A HIS that times out and resends while the first call is still running gets the first answer, not an error."""
    psn, mdtrt_id = await _covered_admission_with_one_fee(gateway, "2026-04-02 09:00:00", 800)
    data = {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id, "medfee_sumamt": "800.00"}}
    answers = await asyncio.gather(*(gateway.call("2304", "H211302S", data, msgid="H211302S-RACE-1" + psn)
                                     for _ in range(6)))
    assert {answer["infcode"] for answer, _ in answers} == {0}, [answer["err_msg"] for answer, _ in answers]
    assert len({raw for _, raw in answers}) == 1
    assert len({answer["output"]["setlinfo"]["setl_id"] for answer, _ in answers}) == 1


async def test_concurrent_settlements_of_one_admission_settle_it_once(gateway):
    """Different messages racing for the same fee details: one settles them, the others are refused."""
    psn, mdtrt_id = await _covered_admission_with_one_fee(gateway, "2026-04-03 09:00:00", 700)
    answers = await asyncio.gather(*(gateway.call("2304", "H211302S", {"data": {
        "psn_no": psn, "mdtrt_id": mdtrt_id, "medfee_sumamt": "700.00", "medins_setl_id": f"M-RACE-{n}"}})
        for n in range(6)))
    settled = [answer for answer, _ in answers if answer["infcode"] == 0]
    assert len(settled) == 1, [answer["err_msg"] for answer, _ in answers]
    assert all("mdtrt_id" in answer["err_msg"] for answer, _ in answers if answer["infcode"] != 0)
    again, _ = await gateway.call("2303", "H211302S", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id,
                                                                "medfee_sumamt": "700.00"}})
    assert again["infcode"] == -1 and "no unsettled fee details" in again["err_msg"]


async def test_malformed_inputs_name_the_field_and_record_nothing(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await gateway.settle_when_covered("H211302S", psn, "390", [("TA", "100.00", "1")])
    bad_date, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "med_type": "21", "begntime": "2026-13-01 09:00:00"}})
    assert bad_date["infcode"] == -1 and "begntime" in bad_date["err_msg"]
    far, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "med_type": "21", "begntime": "9999-04-01 09:00:00"}})
    assert far["infcode"] == -1 and "begntime" in far["err_msg"] and "1990-2100" in far["err_msg"]
    admitted, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "med_type": "21", "begntime": "2026-04-01 09:00:00"}})
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    row = {"feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": psn, "med_list_codg": "TA", "cnt": "1", "pric": "10"}
    negative, _ = await gateway.call("2301", "H211302S", {"feedetail": [{**row, "det_item_fee_sumamt": "-10.00"}]})
    assert negative["infcode"] == -1 and "det_item_fee_sumamt" in negative["err_msg"]
    three, _ = await gateway.call("2301", "H211302S", {"feedetail": [{**row, "det_item_fee_sumamt": "10.001"}]})
    assert three["infcode"] == -1 and "det_item_fee_sumamt" in three["err_msg"]
    ok, _ = await gateway.call("2301", "H211302S", {"feedetail": [{**row, "det_item_fee_sumamt": 10.00}]})
    assert ok["infcode"] == 0
    await gateway.discharge("H211302S", psn, mdtrt_id)
    wrong_sum, _ = await gateway.call("2304", "H211302S", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id,
                                                                     "medfee_sumamt": "11.00"}})
    assert wrong_sum["infcode"] == -1 and "medfee_sumamt" in wrong_sum["err_msg"]


async def test_a_hospital_cannot_act_for_another(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    out = await gateway.settle_when_covered("H211302S", psn, "390", [("TA", "100.00", "1")])
    other, _ = await gateway.call("2304", "H211302T", {"data": {"psn_no": psn, "mdtrt_id": out["setlinfo"]["mdtrt_id"],
                                                                 "medfee_sumamt": "0"}},
                                  headers=gateway.his("H211302S"))
    assert other["infcode"] == -1 and "not authorised" in other["err_msg"]
    foreign, _ = await gateway.call("2305", "H211302T", {"data": {
        "psn_no": psn, "mdtrt_id": out["setlinfo"]["mdtrt_id"], "setl_id": out["setlinfo"]["setl_id"]}})
    assert foreign["infcode"] == -1 and "not authorised" in foreign["err_msg"]


async def test_an_uncovered_person_is_refused(gateway):
    await gateway.setup_registry()
    refused, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": "NOBODY", "insutype": "390", "med_type": "21", "begntime": "2026-04-01 09:00:00"}})
    assert refused["infcode"] == -1 and "not insured" in refused["err_msg"]


async def test_an_admission_after_midnight_beijing_time_on_new_years_day_counts_in_the_new_year(gateway):
    """00:30 on 1 January 2027 in Beijing is still 2026 in UTC: the settlement must read the 2027 coverage and
    start the person's 2027 totals, leaving those of 2026 as the December stay left them."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await publish(gateway.settings, activated(psn, "211302", "390", year=2027))
    await gateway.wait_covered(psn, "2027-01-01")
    december = await gateway.settle_when_covered("H211302S", psn, "390", [("TA", "3000.00", "1")],
                                                 begntime="2026-12-31 23:30:00")
    january = await gateway.admit_and_settle("H211302S", psn, "390", [("TA", "3000.00", "1")],
                                             begntime="2027-01-01 00:30:00")

    engine = create_async_engine(gateway.settings.database_url)
    try:
        async with engine.connect() as conn:
            totals = dict((await conn.execute(text(
                "SELECT year, (version, inpatient_paid_fen) FROM accumulators WHERE psn_no = :p"), {"p": psn})).all())
    finally:
        await engine.dispose()
    paid_fen = {name: int(Decimal(str(answer["setlinfo"]["hifp_pay"])) * 100)
                for name, answer in (("december", december), ("january", january))}
    assert totals == {2026: (1, paid_fen["december"]), 2027: (1, paid_fen["january"])}


async def test_reversal_restores_the_accumulators_and_cannot_happen_twice(gateway):
    await gateway.setup_registry()
    psn = await gateway.covered("211302", category="dibao")
    first = await gateway.settle_when_covered("H211302T", psn, "390", [("TA", "100000.00", "1")])
    info = first["setlinfo"]
    body = {"data": {"psn_no": psn, "mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}}
    reversed_, _ = await gateway.call("2305", "H211302T", body)
    assert reversed_["infcode"] == 0 and str(reversed_["output"]["setlinfo"]["hifp_pay"]) == "-60000.00"
    twice, _ = await gateway.call("2305", "H211302T", body)
    assert twice["infcode"] == -1 and "already reversed" in twice["err_msg"]
    again = await gateway.admit_and_settle("H211302T", psn, "390", [("TA", "100000.00", "1")])
    assert amounts(again, "hifp_pay", "hifmi_pay", "maf_pay") == amounts(first, "hifp_pay", "hifmi_pay", "maf_pay")


async def test_reconciliation_reports_match_and_mismatch(gateway):
    await gateway.setup_registry()
    await gateway.institution("H211302R", "211302", "secondary")
    psn = await gateway.covered("211302")
    out = await gateway.settle_when_covered("H211302R", psn, "390", [("TA", "1000.00", "1")])
    info = out["setlinfo"]
    period = {"insutype": "390", "stmt_begndate": "2026-03-10", "stmt_enddate": "2026-03-10",
              "medfee_sumamt": "1000.00", "fund_pay_sumamt": str(info["fund_pay_sumamt"]), "acct_pay": "0",
              "fixmedins_setl_cnt": "1"}
    match, _ = await gateway.call("3201", "H211302R", {"data": period})
    assert match["output"]["stmtinfo"]["stmt_rslt"] == "0", match
    mismatch, _ = await gateway.call("3201", "H211302R", {"data": {**period, "medfee_sumamt": "999.00"}})
    assert mismatch["output"]["stmtinfo"]["stmt_rslt"] == "1"
    assert "medfee_sumamt" in mismatch["output"]["stmtinfo"]["stmt_rslt_dscr"]
