"""2601 (冲正) of each kind of message and the 52xx queries, sent as a signed HIS client sends them."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from his_client import SignedHis, four_decimals, register_with_credentials

pytestmark = pytest.mark.integration


async def _hospital_and_patient(gateway) -> tuple[SignedHis, str]:
    await gateway.setup_registry()
    his = await register_with_credentials(gateway.client, gateway.admin, f"H{secrets.token_hex(4).upper()}")
    psn = await gateway.covered("211302")
    await gateway.wait_covered(psn, "2026-03-01")
    await his.sign_in()
    return his, psn


async def _admit(his: SignedHis, psn: str, begntime: str = "2026-03-01 09:00:00") -> tuple[dict, str]:
    body = his.envelope("2401", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "coner_name": "", "tel": "", "begntime": begntime,
        "mdtrt_cert_type": "02", "mdtrt_cert_no": psn, "med_type": "21", "ipt_no": "ZY0001", "medrcdno": None,
        "atddr_no": "D01", "chfpdr_name": "李医生", "adm_diag_dscr": "", "adm_dept_codg": "03", "adm_dept_name": "内科",
        "adm_bed": "12", "dscg_maindiag_code": "", "dscg_maindiag_name": "", "main_cond_dscr": "",
        "dise_codg": "", "dise_name": "", "oprn_oprt_code": "", "oprn_oprt_name": "", "fpsc_no": "",
        "matn_type": "", "birctrl_type": "", "latechb_flag": "", "geso_val": None, "fetts": None,
        "fetus_cnt": None, "pret_flag": "", "birctrl_matn_date": None, "dise_type_code": ""}, "diseinfo": []})
    answer = await his.post(body)
    assert answer["infcode"] == 0, answer["err_msg"]
    output = answer["output"]
    return body, (output.get("data") or output.get("result"))["mdtrt_id"]


async def _upload(his: SignedHis, psn: str, mdtrt_id: str, amount: str, serials=("1",)) -> tuple[dict, dict]:
    body = his.envelope("2301", {"feedetail": [{
        "feedetl_sn": sn, "init_feedetl_sn": "", "mdtrt_id": mdtrt_id, "drord_no": "", "psn_no": psn,
        "med_type": "21", "fee_ocur_time": "2026-03-01 10:00:00", "med_list_codg": "TA", "medins_list_codg": "YY-TA",
        "det_item_fee_sumamt": four_decimals(amount), "cnt": four_decimals("1"), "pric": four_decimals(amount),
        "umamt": None, "bilg_dept_codg": "03", "bilg_dept_name": "内科", "bilg_dr_codg": "D01",
        "bilg_dr_name": "李医生", "hosp_appr_flag": "1", "memo": ""} for sn in serials]})
    answer = await his.post(body)
    assert answer["infcode"] == 0, answer["err_msg"]
    return body, answer


async def _settle(his: SignedHis, psn: str, mdtrt_id: str, amount: str) -> tuple[dict, dict]:
    """A mid-stay settlement (the stay is not discharged: the visit stays in hospital for 5201)."""
    body = his.envelope("2304", {"data": {
        "psn_no": psn, "mdtrt_cert_type": "02", "mdtrt_cert_no": psn, "medfee_sumamt": four_decimals(amount),
        "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "390", "acct_used_flag": "0",
        "medins_setl_id": f"S{secrets.token_hex(6)}", "mid_setl_flag": "1", "invono": None,
        "fulamt_ownpay_amt": four_decimals("0"), "overlmt_selfpay": four_decimals("0"),
        "preselfpay_amt": four_decimals("0"), "inscp_scp_amt": four_decimals(amount)}})
    answer = await his.post(body)
    assert answer["infcode"] == 0, answer["err_msg"]
    return body, answer


def _reversal(his: SignedHis, psn: str, original: dict, **kw) -> dict:
    return his.envelope("2601", {"data": {"psn_no": psn, "omsgid": original["msgid"], "oinfno": original["infno"]}},
                        **kw)


async def test_2601_reverses_a_settlement_like_2305_and_a_repeat_gets_the_first_answer(gateway):
    his, psn = await _hospital_and_patient(gateway)
    _, mdtrt_id = await _admit(his, psn)
    await _upload(his, psn, mdtrt_id, "1000")
    settle_body, settled = await _settle(his, psn, mdtrt_id, "1000")
    reversal = _reversal(his, psn, settle_body)
    first = await his.post(reversal)
    assert first["infcode"] == 0, first["err_msg"]
    original, reversed_ = settled["output"]["setlinfo"], first["output"]["setlinfo"]
    assert reversed_["medfee_sumamt"] == Decimal("-1000.00")
    for name in ("fund_pay_sumamt", "hifp_pay", "psn_cash_pay", "inscp_scp_amt"):
        assert reversed_[name] == -original[name], name
    again = await his.post(reversal)
    assert again["output"] == first["output"]
    with_new_msgid = await his.post(_reversal(his, psn, settle_body))
    assert with_new_msgid["infcode"] == -1 and "already reversed" in with_new_msgid["err_msg"]
    resettled = await his.post(his.envelope("2303", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id,
                                                              "medfee_sumamt": four_decimals("1000")}}))
    assert resettled["infcode"] == 0, "the reversal frees the fee details again"


async def test_2601_cancels_an_upload_and_then_the_registration(gateway):
    his, psn = await _hospital_and_patient(gateway)
    admit_body, mdtrt_id = await _admit(his, psn)
    upload_body, _ = await _upload(his, psn, mdtrt_id, "300", serials=("1", "2"))
    cancelled = await his.post(_reversal(his, psn, upload_body))
    assert cancelled["infcode"] == 0 and cancelled["output"] == {}, cancelled["err_msg"]
    nothing_left = await his.post(his.envelope("2303", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id,
                                                                 "medfee_sumamt": four_decimals("600")}}))
    assert nothing_left["infcode"] == -1 and "no unsettled fee details" in nothing_left["err_msg"]
    twice = await his.post(_reversal(his, psn, upload_body))
    assert twice["infcode"] == -1 and "already cancelled" in twice["err_msg"]
    registration = await his.post(_reversal(his, psn, admit_body))
    assert registration["infcode"] == 0, registration["err_msg"]
    closed = await his.post(his.envelope("2301", {"feedetail": [{
        "feedetl_sn": "9", "mdtrt_id": mdtrt_id, "psn_no": psn, "med_list_codg": "TA",
        "det_item_fee_sumamt": four_decimals("5"), "cnt": four_decimals("1"), "pric": four_decimals("5")}]}))
    assert closed["infcode"] == -1 and "cancelled" in closed["err_msg"]


async def test_2601_refuses_what_cannot_be_reversed(gateway):
    his, psn = await _hospital_and_patient(gateway)
    admit_body, mdtrt_id = await _admit(his, psn)
    upload_body, _ = await _upload(his, psn, mdtrt_id, "200")
    await _settle(his, psn, mdtrt_id, "200")
    cases = [
        ({"psn_no": psn, "omsgid": "never-sent", "oinfno": "2304"}, "no recorded answer"),
        ({"psn_no": psn, "omsgid": upload_body["msgid"], "oinfno": "2302"}, "cannot be reversed"),
        ({"psn_no": psn, "omsgid": upload_body["msgid"], "oinfno": "2301"}, "reverse the settlement first"),
        ({"psn_no": psn, "omsgid": admit_body["msgid"], "oinfno": "2401"}, "has a settlement"),
        ({"psn_no": "P-someone-else", "omsgid": admit_body["msgid"], "oinfno": "2401"}, "psn_no"),
    ]
    for data, expected in cases:
        answer = await his.post(his.envelope("2601", {"data": data}))
        assert answer["infcode"] == -1 and expected in answer["err_msg"], (data, answer["err_msg"])
    refused = his.envelope("2304", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id, "medfee_sumamt": "1.0000"}})
    assert (await his.post(refused))["infcode"] == -1
    answer = await his.post(_reversal(his, psn, refused))
    assert answer["infcode"] == -1 and "no recorded answer" in answer["err_msg"]


async def test_another_hospital_cannot_reverse_or_query_what_is_not_its_own(gateway):
    his, psn = await _hospital_and_patient(gateway)
    other = await register_with_credentials(gateway.client, gateway.admin, f"H{secrets.token_hex(4).upper()}")
    await other.sign_in()
    admit_body, mdtrt_id = await _admit(his, psn)
    await _upload(his, psn, mdtrt_id, "100")
    _, settled = await _settle(his, psn, mdtrt_id, "100")
    setl_id = settled["output"]["setlinfo"]["setl_id"]
    reversal = await other.post(_reversal(other, psn, admit_body))
    assert reversal["infcode"] == -1 and "no recorded answer" in reversal["err_msg"]
    visits = await other.send("5201", {"data": {"psn_no": psn, "begntime": "2026-01-01 00:00:00",
                                                "endtime": "2026-12-31 23:59:59", "med_type": "", "mdtrt_id": ""}})
    assert visits["infcode"] == 0 and visits["output"]["mdtrtinfo"] == []
    for infno, data, expected in [("5203", {"psn_no": psn, "setl_id": setl_id, "mdtrt_id": mdtrt_id}, "setl_id"),
                                  ("5204", {"psn_no": psn, "setl_id": "", "mdtrt_id": mdtrt_id}, "another institution"),
                                  ("5205", {"psn_no": psn, "cum_ym": "202603"}, "no visit")]:
        answer = await other.send(infno, {"data": data})
        assert answer["infcode"] == -1 and expected in answer["err_msg"], (infno, answer["err_msg"])


async def test_the_queries_answer_visits_settlement_fee_details_and_accumulated_figures(gateway):
    his, psn = await _hospital_and_patient(gateway)
    _, mdtrt_id = await _admit(his, psn, "2026-03-02 08:30:00")
    await _upload(his, psn, mdtrt_id, "800", serials=("1", "2"))
    _, settled = await _settle(his, psn, mdtrt_id, "1600")
    setlinfo = settled["output"]["setlinfo"]

    visits = await his.send("5201", {"data": {"psn_no": psn, "begntime": "2026-03-01 00:00:00",
                                              "endtime": "2026-03-31 23:59:59", "med_type": "", "mdtrt_id": ""}})
    assert visits["infcode"] == 0, visits["err_msg"]
    [visit] = visits["output"]["mdtrtinfo"]
    assert (visit["mdtrt_id"], visit["psn_no"], visit["med_type"], visit["insutype"]) == (mdtrt_id, psn, "21", "390")
    assert visit["begntime"] == "2026-03-02 08:30:00" and visit["inhosp_stas"] == "1" and visit["psn_name"] == "张三"

    found = await his.send("5203", {"data": {"psn_no": psn, "setl_id": setlinfo["setl_id"], "mdtrt_id": ""}})
    assert found["infcode"] == 0, found["err_msg"]
    assert found["output"]["setlinfo"]["setl_id"] == setlinfo["setl_id"]
    assert found["output"]["setlinfo"]["medfee_sumamt"] == Decimal("1600.00")
    assert found["output"]["setldetail"] == settled["output"]["setldetail"]

    details = await his.send("5204", {"data": {"psn_no": psn, "setl_id": "", "mdtrt_id": mdtrt_id}})
    assert details["infcode"] == 0, details["err_msg"]
    rows = details["output"]["result"]
    assert [(r["feedetl_sn"], r["det_item_fee_sumamt"], r["setl_id"], r["chrgitm_lv"]) for r in rows] == [
        ("1", Decimal("800.00"), setlinfo["setl_id"], "01"), ("2", Decimal("800.00"), setlinfo["setl_id"], "01")]

    figures = await his.send("5205", {"data": {"psn_no": psn, "cum_ym": "202603"}})
    assert figures["infcode"] == 0, figures["err_msg"]
    cum = {row["cum_type_code"]: row["cum"] for row in figures["output"]["cuminfo"]}
    assert cum["inpatient_paid"] == setlinfo["hifp_pay"] and cum["outpatient_visits"] == Decimal("0.00")
    assert {row["year"] for row in figures["output"]["cuminfo"]} == {"2026"}
    same = await his.send("5206", {"data": {"psn_no": psn, "cum_ym": "202603"}})
    assert same["output"] == figures["output"]


async def test_2601_cancels_an_outpatient_registration_answered_in_output_data(gateway):
    his, psn = await _hospital_and_patient(gateway)
    register = his.envelope("2201", {"data": {
        "psn_no": psn, "insutype": "390", "begntime": "2026-03-03T09:15:00", "mdtrt_cert_type": "02",
        "mdtrt_cert_no": psn, "ipt_otp_no": "MZ0001", "atddr_no": "D02", "dr_name": "王医生", "dept_code": "01",
        "dept_name": "门诊", "caty": "01", "med_type": "11"}})
    registered = await his.post(register)
    assert registered["infcode"] == 0, registered["err_msg"]
    mdtrt_id = registered["output"]["data"]["mdtrt_id"]
    cancelled = await his.post(_reversal(his, psn, register))
    assert cancelled["infcode"] == 0, cancelled["err_msg"]
    visits = await his.send("5201", {"data": {"psn_no": psn, "begntime": "", "endtime": "", "med_type": "",
                                              "mdtrt_id": mdtrt_id}})
    [visit] = visits["output"]["mdtrtinfo"]
    assert (visit["vali_flag"], visit["inhosp_stas"]) == ("0", "0")
