"""Issue 18's HIS door on the running stack, as a signed C#/Java client drives it: x-tif headers, 9001 first,
``sign_no`` in every envelope, bodies indented with CRLF, amounts as strings with four decimals, ``""`` and
``null`` for absent values, GBK where the hospital's client writes GBK. People are enrolled and paid through
the public APIs. Expected figures by hand from the 500240 pack (tier1, in county, primary: inpatient
deductible 100.00 and ratio 0.80; class A items, no pre-self-pay). 9002 followed by a refused call is
``test_his_door.py``'s."""

from __future__ import annotations

import re
import secrets
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[2] / "services" / "adjudication" / "tests" / "integration"))
from his_client import SETLINFO_FIELDS, SignedHis, register_with_credentials  # noqa: E402
from journey_kit import certno, eventually  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR, TIER = "500240", 2026, "tier1"
TAX_OFFICE = "15002400000"
DAY = "2026-03-10"
GBK = "application/json; charset=GBK"


@dataclass(frozen=True)
class Insured:
    psn_no: str
    certno: str
    ssc_no: str


@pytest.fixture(scope="module")
async def item(clients) -> str:
    """A class A catalogue item without a price ceiling."""
    code = f"HCF{secrets.token_hex(4).upper()}"
    await clients.call("PUT", f"{clients.adjudication}/v1/catalogue/{code}", clients.auth("admin"), json={
        "name": "住院床位费", "class": "A", "pric_uplmt_amt": None})
    return code


@pytest.fixture(scope="module")
async def gateway_http(services_running) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=services_running.adjudication, timeout=60) as http:
        yield http


@pytest.fixture
async def his(clients, gateway_http) -> SignedHis:
    """A primary hospital of the county with credentials, signed in (9001)."""
    his = await register_with_credentials(gateway_http, clients.auth("admin"), f"HC{secrets.token_hex(5).upper()}",
                                          ADMDVS, "primary")
    await his.sign_in()
    return his


@pytest.fixture(scope="module")
async def people(clients) -> list[Insured]:
    """Four adults enrolled with a social-security card each and paid in full, covered at the gateway."""
    births = [date(1975, 5, 1), date(1978, 6, 2), date(1980, 7, 3), date(1984, 8, 4)]
    sent = [{"certno": certno(ADMDVS, brdy, n % 2 == 0), "psn_name": "谭德明", "gend": "1" if n % 2 == 0 else "2",
             "brdy": brdy.isoformat(), "category": "adult", "ssc_no": f"SSC{secrets.token_hex(5).upper()}"}
            for n, brdy in enumerate(births)]
    answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201, json={
        "admdvs": ADMDVS, "insutype": "390", "year": YEAR, "tier": TIER, "enrolled_on": "2025-10-15",
        "members": sent})
    tax = clients.auth("tax", tax_office_code=TAX_OFFICE)
    insured = []
    for member in answer["members"]:
        await clients.call("POST", f"{clients.billing}/v1/collections", tax, 201, json={
            "tax_voucher_no": f"HCF{secrets.token_hex(8)}", "certno": member["certno"], "psn_name": "谭德明",
            "insutype": "390", "admdvs": ADMDVS, "period_year": YEAR, "amount": str(member["premium_due"]),
            "paid_at": "2025-11-20T10:15:00+08:00", "tax_office_code": TAX_OFFICE, "channel": "etax"})
        card = next(s["ssc_no"] for s in sent if s["certno"] == member["certno"])
        insured.append(Insured(member["psn_no"], member["certno"], card))
    return insured


@pytest.fixture(scope="module")
async def covered(clients, gateway_http, people) -> list[Insured]:
    his = await register_with_credentials(gateway_http, clients.auth("admin"), f"HC{secrets.token_hex(5).upper()}",
                                          ADMDVS, "primary")
    await his.sign_in()
    for person in people:
        answer = await eventually(lambda p=person: by_certno(his, p), lambda a: a["infcode"] == 0)
        assert answer["infcode"] == 0, answer["err_msg"]
    return people


async def by_certno(his: SignedHis, person: Insured) -> dict:
    return await his.send("1101", {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno, "card_sn": "", "begntime": "",
        "psn_cert_type": "01", "certno": person.certno, "psn_name": ""}}, inf_time=f"{DAY} 08:30:00")


def ok(answer: dict) -> dict:
    assert answer["infcode"] == 0, answer["err_msg"]
    return answer["output"]


def fee(sn: str, mdtrt_id: str, psn_no: str, code: str, cnt: str, pric: str, amount, **extra) -> dict:
    """A fee line as the C# client writes it: every field present, amounts as four-decimal strings."""
    return {"feedetl_sn": sn, "init_feedetl_sn": "", "mdtrt_id": mdtrt_id, "drord_no": "", "psn_no": psn_no,
            "med_type": "21", "fee_ocur_time": f"{DAY} 11:00:00", "med_list_codg": code,
            "medins_list_codg": f"HIS-{code}", "det_item_fee_sumamt": amount, "cnt": cnt, "pric": pric,
            "sin_dos_dscr": "", "used_frqu_dscr": "", "prd_days": "0.0000", "medc_way_dscr": "", "bilg_dept_codg": "",
            "bilg_dept_name": "", "bilg_dr_codg": "", "bilg_dr_name": "", "acord_dept_codg": "", "hosp_appr_flag": "",
            "tcmdrug_used_way": "", "etip_flag": "", "etip_hosp_code": "", "dscg_tkdrug_flag": "", "matn_fee_flag": "",
            "memo": None, "exp_content": None, **extra}


async def admit(his: SignedHis, psn_no: str, **kw) -> str:
    output = ok(await his.send("2401", {"mdtrtinfo": {
        "psn_no": psn_no, "insutype": "390", "coner_name": "", "tel": "", "begntime": f"{DAY} 09:00:00",
        "mdtrt_cert_type": "02", "mdtrt_cert_no": "", "med_type": "21", "ipt_no": f"ZY{secrets.token_hex(3)}",
        "medrcdno": "", "atddr_no": "", "chfpdr_name": "", "adm_diag_dscr": "", "adm_dept_codg": "",
        "adm_dept_name": "", "adm_bed": "", "dscg_maindiag_code": "J18.900", "dscg_maindiag_name": "肺炎",
        "main_cond_dscr": "", "dise_codg": "", "dise_name": "", "oprn_oprt_code": "", "oprn_oprt_name": "",
        "fpsc_no": "", "matn_type": "", "birctrl_type": "", "latechb_flag": "", "geso_val": None, "fetts": None,
        "fetus_cnt": None, "pret_flag": "", "birctrl_matn_date": None, "dise_type_code": "", "insuplc_admdvs": "",
        "mdtrtarea_admvs": ADMDVS}, "diseinfo": []}, **kw))
    return output["result"]["mdtrt_id"]


async def discharge(his: SignedHis, psn_no: str, mdtrt_id: str) -> None:
    ok(await his.send("2402", {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": "390", "endtime": f"{DAY} 16:00:00", "dise_codg": "",
        "dise_name": "", "oprn_oprt_code": "", "oprn_oprt_name": "", "fpsc_no": "", "matn_type": "",
        "birctrl_type": "", "latechb_flag": "", "geso_val": None, "fetts": None, "fetus_cnt": None, "pret_flag": "",
        "birctrl_matn_date": None, "cop_flag": "", "dscg_dept_codg": "", "dscg_dept_name": "", "dscg_bed": "",
        "dscg_way": "1", "die_date": None}, "diseinfo": []}))


def settle_input(psn_no: str, mdtrt_id: str, total: str, *, mid_setl_flag: str = "0", med_type: str = "21") -> dict:
    return {"data": {"psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": "", "medfee_sumamt": total,
                     "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "390", "acct_used_flag": "0",
                     "mid_setl_flag": mid_setl_flag, "invono": "", "fulamt_ownpay_amt": "0.0000",
                     "overlmt_selfpay": "0.0000", "preselfpay_amt": "0.0000", "inscp_scp_amt": "0.0000",
                     "medins_setl_id": secrets.token_hex(8), "med_type": med_type, "exp_content": None}}


def amounts(info: dict, *names: str) -> tuple:
    return tuple(info[name] for name in names)


async def test_1101_finds_the_insured_by_certno_and_by_social_security_card(his, covered):
    person = covered[0]
    assert ok(await by_certno(his, person))["baseinfo"]["psn_no"] == person.psn_no
    by_card = ok(await his.send("1101", {"data": {
        "mdtrt_cert_type": "03", "mdtrt_cert_no": person.ssc_no, "card_sn": "", "begntime": "",
        "psn_cert_type": "", "certno": "", "psn_name": ""}}, encoding="gbk", content_type=GBK))
    assert by_card["baseinfo"]["psn_no"] == person.psn_no
    insuinfo = by_card["insuinfo"][0]
    assert re.fullmatch(r"\d+", insuinfo["psn_type"]) and '"balc":0.00' in his.last_text
    unknown = await his.send("1101", {"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": "SSCUNKNOWN0", "card_sn": "",
                                               "begntime": "", "psn_cert_type": "", "certno": "", "psn_name": ""}})
    assert unknown["infcode"] == -1 and "social security card" in unknown["err_msg"]


async def test_an_inpatient_stay_from_admission_to_reversal(his, covered, item):
    psn = covered[1].psn_no
    mdtrt_id = await admit(his, psn)
    not_a_cent = await his.send("2301", {"feedetail": [fee("1", mdtrt_id, psn, item, "3.0000", "33.3000", 99.899)]},
                                encoding="gbk", content_type=GBK)
    assert not_a_cent["infcode"] == -1 and "det_item_fee_sumamt" in not_a_cent["err_msg"]
    upload_msgid = f"{his.code}{secrets.token_hex(8)}"
    doubled = ok(await his.send("2301", {"feedetail": [fee("1", mdtrt_id, psn, item, "3.0000", "33.3000", 33.3 * 3)]},
                                encoding="gbk", content_type=GBK, msgid=upload_msgid))
    assert doubled["result"][0]["det_item_fee_sumamt"] == Decimal("99.90")
    assert '"pric_uplmt_amt":99999999.00' in his.last_text and re.search(r'"refmsg_time":"\d{17}"', his.last_text)
    ok(await his.send("2301", {"feedetail": [
        fee("2", mdtrt_id, psn, item, "1.0000", "300.0000", "300.0000"),
        fee("3", mdtrt_id, psn, item, "1.0000", "50.0000", "50.0000"),
        fee("4", mdtrt_id, psn, item, "1.0000", "20.0000", "20.0000")]},
        encoding="gbk", content_type="application/json"))
    ok(await his.send("2302", {"data": [{"feedetl_sn": "3", "mdtrt_id": mdtrt_id, "psn_no": psn, "exp_content": None},
                                        {"feedetl_sn": "4", "mdtrt_id": mdtrt_id, "psn_no": psn, "exp_content": ""}]}))
    not_discharged = await his.send("2304", settle_input(psn, mdtrt_id, "399.9000"))
    assert not_discharged["infcode"] == -1 and "2402" in not_discharged["err_msg"]
    await discharge(his, psn, mdtrt_id)
    preview = ok(await his.send("2303", settle_input(psn, mdtrt_id, "399.9000")))["setlinfo"]
    assert "setl_id" not in preview
    settled = ok(await his.send("2304", settle_input(psn, mdtrt_id, "399.9000")))
    text, info = his.last_text, settled["setlinfo"]
    assert set(SETLINFO_FIELDS) <= set(info)
    # 99.90 + 300.00 in scope; deductible 100.00; (399.90 - 100.00) x 0.80 = 239.92; the person pays 159.98
    assert amounts(info, "medfee_sumamt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "fund_pay_sumamt",
                   "psn_cash_pay") == (Decimal("399.90"), Decimal("399.90"), Decimal("100.00"), Decimal("239.92"),
                                       Decimal("239.92"), Decimal("159.98"))
    assert re.fullmatch(r"\d+", info["psn_type"]) and '"balc":0.00' in text and '"medfee_sumamt":399.90' in text
    assert re.search(r'"refmsg_time":"\d{17}"', text)

    visits = ok(await his.send("5201", {"data": {"psn_no": psn, "begntime": f"{DAY} 00:00:00",
                                                 "endtime": f"{DAY} 23:59:59", "med_type": "", "mdtrt_id": ""}}))
    assert [(v["mdtrt_id"], v["inhosp_stas"], v["vali_flag"]) for v in visits["mdtrtinfo"]] == [(mdtrt_id, "0", "1")]
    again = ok(await his.send("5203", {"data": {"psn_no": psn, "setl_id": info["setl_id"], "mdtrt_id": ""}}))
    assert again["setlinfo"]["hifp_pay"] == Decimal("239.92")
    details = ok(await his.send("5204", {"data": {"psn_no": psn, "setl_id": "", "mdtrt_id": mdtrt_id}}))["result"]
    assert sorted((d["feedetl_sn"], d["det_item_fee_sumamt"], d["setl_id"]) for d in details) == [
        ("1", Decimal("99.90"), info["setl_id"]), ("2", Decimal("300.00"), info["setl_id"])]
    cum = ok(await his.send("5205", {"data": {"psn_no": psn, "cum_ym": "202603"}}))["cuminfo"]
    figures = {row["cum_type_code"]: row["cum"] for row in cum}
    assert (figures["inpatient_paid"], figures["inpatient_scope_cost"]) == (Decimal("239.92"), Decimal("399.90"))
    assert ok(await his.send("5206", {"data": {"psn_no": psn, "cum_ym": "202603"}}))["cuminfo"] == cum

    settled_upload = await his.send("2601", {"data": {"psn_no": psn, "omsgid": upload_msgid, "oinfno": "2301"}})
    assert settled_upload["infcode"] == -1 and "reverse the settlement first" in settled_upload["err_msg"]
    reversed_ = ok(await his.send("2305", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id, "setl_id": info["setl_id"],
                                                    "exp_content": None}}))
    assert amounts(reversed_["setlinfo"], "medfee_sumamt", "hifp_pay", "psn_cash_pay") == (
        Decimal("-399.90"), Decimal("-239.92"), Decimal("-159.98"))
    assert [(row["crt_payb_lmt_amt"], row["fund_payamt"]) for row in reversed_["setldetail"]] == [
        (row["crt_payb_lmt_amt"], -row["fund_payamt"]) for row in settled["setldetail"]]

    period = {"insutype": "390", "clr_type": "21", "setl_optins": "", "stmt_begndate": DAY, "stmt_enddate": DAY,
              "acct_pay": "0.0000"}
    for flag, total, fund, count in (("0", "399.9000", "239.9200", "1"), ("1", "0.0000", "0.0000", "2")):
        answer = ok(await his.send("3201", {"data": {**period, "refd_setl_flag": flag, "medfee_sumamt": total,
                                                     "fund_pay_sumamt": fund, "fixmedins_setl_cnt": count}}))
        assert answer["stmtinfo"]["stmt_rslt"] == "0", answer
    counted_without_reversals = ok(await his.send("3201", {"data": {
        **period, "refd_setl_flag": "1", "medfee_sumamt": "399.9000", "fund_pay_sumamt": "239.9200",
        "fixmedins_setl_cnt": "1"}}))
    assert counted_without_reversals["stmtinfo"]["stmt_rslt"] == "1"


async def test_an_outpatient_visit_with_a_refund_line(his, covered, item):
    psn = covered[2].psn_no
    registered = await his.send("2201", {"data": {
        "psn_no": psn, "insutype": "390", "begntime": f"{DAY}T10:30:00", "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "", "ipt_otp_no": "MZ0001", "atddr_no": "", "dr_name": "", "dept_code": "",
        "dept_name": "", "caty": "", "exp_content": None}})
    data = ok(registered)["data"]
    assert "result" not in registered["output"] and (data["psn_no"], data["ipt_otp_no"]) == (psn, "MZ0001")
    mdtrt_id = data["mdtrt_id"]
    ok(await his.send("2204", {"feedetail": [fee("1", mdtrt_id, psn, item, "3.0000", "50.0000", "150.0000",
                                                  med_type="11")]}))
    refund = ok(await his.send("2204", {"feedetail": [
        fee("2", mdtrt_id, psn, item, "-1.0000", "50.0000", "-50.0000", med_type="11", init_feedetl_sn="1")]}))
    assert refund["result"][0]["det_item_fee_sumamt"] == Decimal("-50.00")
    assert '"pric_uplmt_amt":99999999.00' in his.last_text
    preview = ok(await his.send("2206", settle_input(psn, mdtrt_id, "100.0000", med_type="11")))["setlinfo"]
    assert "setl_id" not in preview
    answer = ok(await his.send("2207", settle_input(psn, mdtrt_id, "100.0000", med_type="11")))
    settled = answer["setlinfo"]
    # 150.00 - 50.00 refunded = 100.00; primary outpatient ratio 0.60, no deductible: 60.00
    assert amounts(settled, "medfee_sumamt", "hifp_pay", "psn_cash_pay") == (
        Decimal("100.00"), Decimal("60.00"), Decimal("40.00"))
    reversed_ = ok(await his.send("2208", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id,
                                                    "setl_id": settled["setl_id"]}}))
    assert amounts(reversed_["setlinfo"], "medfee_sumamt", "hifp_pay", "psn_cash_pay") == (
        Decimal("-100.00"), Decimal("-60.00"), Decimal("-40.00"))
    assert [row["crt_payb_lmt_amt"] for row in reversed_["setldetail"]] == [
        row["crt_payb_lmt_amt"] for row in answer["setldetail"]]


async def test_mid_stay_settlement_and_2601_taking_back_a_settlement_an_upload_and_a_registration(
        his, covered, item):
    psn = covered[3].psn_no
    mdtrt_id = await admit(his, psn)
    ok(await his.send("2301", {"feedetail": [fee("1", mdtrt_id, psn, item, "1.0000", "200.0000", "200.0000")]}))
    settle_msgid = f"{his.code}{secrets.token_hex(8)}"
    mid = ok(await his.send("2304", settle_input(psn, mdtrt_id, "200.0000", mid_setl_flag="1"), msgid=settle_msgid))
    # (200.00 - 100.00) x 0.80 = 80.00
    assert amounts(mid["setlinfo"], "act_pay_dedc", "hifp_pay") == (Decimal("100.00"), Decimal("80.00"))
    take_back = {"data": {"psn_no": psn, "omsgid": settle_msgid, "oinfno": "2304"}}
    take_back_msgid = f"{his.code}{secrets.token_hex(8)}"
    taken_back = ok(await his.send("2601", take_back, msgid=take_back_msgid))
    assert amounts(taken_back["setlinfo"], "medfee_sumamt", "hifp_pay") == (Decimal("-200.00"), Decimal("-80.00"))
    assert ok(await his.send("2601", take_back, msgid=take_back_msgid)) == taken_back
    twice = await his.send("2601", take_back)
    assert twice["infcode"] == -1 and "already reversed" in twice["err_msg"]

    upload_msgid = f"{his.code}{secrets.token_hex(8)}"
    ok(await his.send("2301", {"feedetail": [fee("2", mdtrt_id, psn, item, "1.0000", "70.0000", "70.0000")]},
                      msgid=upload_msgid))
    assert ok(await his.send("2601", {"data": {"psn_no": psn, "omsgid": upload_msgid, "oinfno": "2301"}})) == {}
    refund = ok(await his.send("2301", {"feedetail": [
        fee("3", mdtrt_id, psn, item, "-1.0000", "50.0000", "-50.0000", init_feedetl_sn="1")]}))
    assert refund["result"][0]["det_item_fee_sumamt"] == Decimal("-50.00")
    details = ok(await his.send("5204", {"data": {"psn_no": psn, "setl_id": "", "mdtrt_id": mdtrt_id}}))["result"]
    assert sorted((d["feedetl_sn"], d["det_item_fee_sumamt"], d["setl_id"]) for d in details) == [
        ("1", Decimal("200.00"), ""), ("3", Decimal("-50.00"), "")]
    await discharge(his, psn, mdtrt_id)
    last = ok(await his.send("2304", settle_input(psn, mdtrt_id, "150.0000")))["setlinfo"]
    # the taken-back settlement gave its deductible back: (200.00 - 50.00 - 100.00) x 0.80 = 40.00
    assert amounts(last, "medfee_sumamt", "act_pay_dedc", "hifp_pay") == (
        Decimal("150.00"), Decimal("100.00"), Decimal("40.00"))

    register_msgid = f"{his.code}{secrets.token_hex(8)}"
    second = await admit(his, psn, msgid=register_msgid)
    assert ok(await his.send("2601", {"data": {"psn_no": psn, "omsgid": register_msgid, "oinfno": "2401"}})) == {}
    visits = ok(await his.send("5201", {"data": {"psn_no": psn, "begntime": "", "endtime": "", "med_type": "",
                                                 "mdtrt_id": second}}))["mdtrtinfo"]
    assert [v["vali_flag"] for v in visits] == ["0"]

    unknown = await his.send("2601", {"data": {"psn_no": psn, "omsgid": "NEVER-SENT-0001", "oinfno": "2304"}})
    assert unknown["infcode"] == -1 and "NEVER-SENT-0001 has no recorded answer" in unknown["err_msg"]
