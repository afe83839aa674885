"""The gateway as real HIS clients call it: the values they send and the answer shapes their typed models read.

Bodies are serialised the way those clients do (Newtonsoft-style indented JSON with CRLF line ends, amounts and
quantities as strings with four decimals, ``""`` and ``null`` for absent values) and sent as GBK bytes unless a
test says otherwise. Expected figures are computed by hand from the 211302 pack: in county, secondary level,
inpatient deductible 500 and ratio 0.70, class B pre-self-pay 10%.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import date
from decimal import Decimal

import pytest
from adjudication_gateway import activated, publish
from his_client import SETLINFO_FIELDS

from medfund_deploy.evidence import value_of
from medfund_shared.events.types.enrollment import PersonRegistered

pytestmark = pytest.mark.integration

HOSPITAL = "H211302S"
PATH = "/fsi/api/rsfComIfsService/callService"
ADULT = "1501"
"""The 211302 pack's ``person_types`` code of ``adult``."""


def client_body(infno: str, input_: dict, *, msgid: str | None = None,
                inf_time: str = "2026-12-04 10:30:00") -> str:
    """The envelope as a C# HIS writes it: every field present, ``""``/``null`` when empty, indented with CRLF."""
    envelope = {"infno": infno, "msgid": msgid or f"{HOSPITAL}{secrets.token_hex(8)}", "mdtrtarea_admvs": "211302",
                "insuplc_admdvs": "", "recer_sys_code": "FSI_LOCAL", "dev_no": None, "dev_safe_info": None,
                "cainfo": None, "signtype": None, "infver": "V1.0", "opter_type": "1", "opter": "0001",
                "opter_name": "收费员王五", "inf_time": inf_time, "fixmedins_code": HOSPITAL,
                "fixmedins_name": "双塔区人民医院", "sign_no": "", "input": input_}
    return json.dumps(envelope, ensure_ascii=False, indent=2).replace("\n", "\r\n")


async def send(gateway, infno: str, input_: dict, *, encoding: str = "gbk",
               content_type: str = "application/json; charset=GBK", **envelope) -> tuple[dict, str]:
    """The decoded answer and its text; the answer is always UTF-8."""
    body = client_body(infno, input_, **envelope).encode(encoding)
    response = await gateway.client.post(PATH, content=body,
                                         headers={**gateway.his(HOSPITAL), "Content-Type": content_type})
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    return json.loads(text, parse_float=Decimal), text


def ok(answer: dict) -> dict:
    assert answer["infcode"] == 0, answer["err_msg"]
    return answer["output"]


def fee(sn: str, mdtrt_id: str, psn_no: str, code: str, cnt: str, pric: str, amount, **extra) -> dict:
    return {"feedetl_sn": sn, "init_feedetl_sn": "", "mdtrt_id": mdtrt_id, "drord_no": "", "psn_no": psn_no,
            "med_type": "21", "fee_ocur_time": "2026-12-04 11:00:00", "med_list_codg": code,
            "medins_list_codg": f"HIS-{code}", "det_item_fee_sumamt": amount, "cnt": cnt, "pric": pric,
            "sin_dos_dscr": "", "used_frqu_dscr": "", "prd_days": "0.0000", "medc_way_dscr": "", "bilg_dept_codg": "",
            "bilg_dept_name": "", "bilg_dr_codg": "", "bilg_dr_name": "", "acord_dept_codg": "", "hosp_appr_flag": "",
            "tcmdrug_used_way": "", "etip_flag": "", "etip_hosp_code": "", "dscg_tkdrug_flag": "", "matn_fee_flag": "",
            "memo": None, "exp_content": None, **extra}


async def covered_person(gateway) -> str:
    """A covered adult (born 1976) of 211302 whose cover has reached the service."""
    await gateway.setup_registry()
    psn = await gateway.covered("211302")
    await gateway.wait_covered(psn, "2026-12-04")
    return psn


async def admitted(gateway, psn: str, begntime: str = "2026-12-04 09:00:00") -> str:
    output = ok((await send(gateway, "2401", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "coner_name": "", "tel": "", "begntime": begntime, "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "", "med_type": "21", "ipt_no": f"ZY{secrets.token_hex(3)}", "medrcdno": "",
        "atddr_no": "", "chfpdr_name": "", "adm_diag_dscr": "", "adm_dept_codg": "", "adm_dept_name": "",
        "adm_bed": "", "dscg_maindiag_code": "J18.900", "dscg_maindiag_name": "肺炎", "main_cond_dscr": "",
        "dise_codg": "", "dise_name": "", "oprn_oprt_code": "", "oprn_oprt_name": "", "fpsc_no": "",
        "matn_type": "", "birctrl_type": "", "latechb_flag": "", "geso_val": None, "fetts": None,
        "fetus_cnt": None, "pret_flag": "", "birctrl_matn_date": None, "dise_type_code": "", "insuplc_admdvs": "",
        "mdtrtarea_admvs": "211302"}, "diseinfo": []}))[0])
    return output["result"]["mdtrt_id"]


async def upload(gateway, *lines: dict) -> dict:
    return (await send(gateway, "2301", {"feedetail": list(lines)}))[0]


async def discharge(gateway, psn: str, mdtrt_id: str) -> None:
    ok((await send(gateway, "2402", {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": psn, "insutype": "390", "endtime": "2026-12-06 10:00:00", "dise_codg": "",
        "dise_name": "", "oprn_oprt_code": "", "oprn_oprt_name": "", "fpsc_no": "", "matn_type": "",
        "birctrl_type": "", "latechb_flag": "", "geso_val": None, "fetts": None, "fetus_cnt": None, "pret_flag": "",
        "birctrl_matn_date": None, "cop_flag": "", "dscg_dept_codg": "", "dscg_dept_name": "", "dscg_bed": "",
        "dscg_way": "1", "die_date": None}, "diseinfo": []}))[0])


def settle_input(psn: str, mdtrt_id: str, total: str, *, mid_setl_flag: str = "0") -> dict:
    return {"data": {"psn_no": psn, "mdtrt_cert_type": "02", "mdtrt_cert_no": "", "medfee_sumamt": total,
                     "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "390", "acct_used_flag": "0",
                     "mid_setl_flag": mid_setl_flag, "invono": "", "fulamt_ownpay_amt": "0.0000",
                     "overlmt_selfpay": "0.0000", "preselfpay_amt": "0.0000", "inscp_scp_amt": "0.0000",
                     "medins_setl_id": secrets.token_hex(8), "exp_content": None}}


async def test_2302_cancels_a_list_of_details_as_well_as_one(gateway):
    psn = await covered_person(gateway)
    mdtrt_id = await admitted(gateway, psn)
    ok(await upload(gateway, *(fee(str(n), mdtrt_id, psn, "TA", "1.0000", "100.0000", "100.0000") for n in (1, 2, 3))))
    ok((await send(gateway, "2302", {"data": [
        {"feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": psn, "exp_content": None},
        {"feedetl_sn": "2", "mdtrt_id": mdtrt_id, "psn_no": psn, "exp_content": ""}]}))[0])
    ok((await send(gateway, "2302", {"data": {"feedetl_sn": "3", "mdtrt_id": mdtrt_id, "psn_no": psn}}))[0])
    none_left, _ = await send(gateway, "2303", settle_input(psn, mdtrt_id, "0.0000"))
    assert none_left["infcode"] == -1 and "no unsettled fee details" in none_left["err_msg"]
    unknown, _ = await send(gateway, "2302", {"data": [{"feedetl_sn": "9", "mdtrt_id": mdtrt_id, "psn_no": psn}]})
    assert unknown["infcode"] == -1 and "feedetl_sn 9" in unknown["err_msg"]


async def test_2201_and_2401_take_a_serialised_datetime_and_2201_answers_in_output_data(gateway):
    psn = await covered_person(gateway)
    registered, text = await send(gateway, "2201", {"data": {
        "psn_no": psn, "insutype": "390", "begntime": "2026-12-04T10:30:00", "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "", "ipt_otp_no": "MZ0001", "atddr_no": "", "dr_name": "", "dept_code": "",
        "dept_name": "", "caty": "", "exp_content": None}})
    data = ok(registered)["data"]
    assert set(data) == {"mdtrt_id", "psn_no", "ipt_otp_no"} and "result" not in registered["output"]
    assert (data["psn_no"], data["ipt_otp_no"]) == (psn, "MZ0001")
    assert await admitted(gateway, psn, begntime="2026-12-04T11:00:00")
    assert re.search(r'"refmsg_time":"\d{17}"', text) and re.search(r'"respond_time":"\d{17}"', text)


async def test_a_refund_line_reduces_what_the_settlement_sees(gateway):
    psn = await covered_person(gateway)
    mdtrt_id = await admitted(gateway, psn)
    ok(await upload(gateway, fee("1", mdtrt_id, psn, "TA", "10.0000", "100.0000", "1000.0000")))
    refunded, text = await send(gateway, "2301", {"feedetail": [
        fee("2", mdtrt_id, psn, "TA", "-4.0000", "100.0000", "-400.0000", init_feedetl_sn="1")]})
    assert '"det_item_fee_sumamt":-400.00,"cnt":-4,"pric":100.00' in text
    assert ok(refunded)["result"][0]["inscp_scp_amt"] == Decimal("-400.00")
    too_much, _ = await send(gateway, "2301", {"feedetail": [
        fee("3", mdtrt_id, psn, "TA", "-7.0000", "100.0000", "-700.0000", init_feedetl_sn="1")]})
    assert too_much["infcode"] == -1 and "exceed" in too_much["err_msg"]
    unknown, _ = await send(gateway, "2301", {"feedetail": [
        fee("3", mdtrt_id, psn, "TA", "-1.0000", "100.0000", "-100.0000", init_feedetl_sn="99")]})
    assert unknown["infcode"] == -1 and "init_feedetl_sn 99" in unknown["err_msg"]
    positive, _ = await send(gateway, "2301", {"feedetail": [
        fee("3", mdtrt_id, psn, "TA", "1.0000", "100.0000", "100.0000", init_feedetl_sn="1")]})
    assert positive["infcode"] == -1 and "negative" in positive["err_msg"]
    await discharge(gateway, psn, mdtrt_id)
    whole, _ = await send(gateway, "2304", settle_input(psn, mdtrt_id, "1000.0000"))
    assert whole["infcode"] == -1 and "medfee_sumamt" in whole["err_msg"]
    info = ok((await send(gateway, "2304", settle_input(psn, mdtrt_id, "600.0000")))[0])["setlinfo"]
    # 1000 - 400 refunded = 600 in scope; deductible 500; (600 - 500) x 0.70 = 70.00
    assert (info["medfee_sumamt"], info["inscp_scp_amt"], info["act_pay_dedc"], info["hifp_pay"],
            info["psn_cash_pay"]) == (Decimal("600.00"), Decimal("600.00"), Decimal("500.00"), Decimal("70.00"),
                                      Decimal("530.00"))


@pytest.mark.parametrize(("encoding", "content_type"), [("gbk", "application/json; charset=GBK"),
                                                        ("gbk", "application/json;charset=gb2312"),
                                                        ("gbk", "application/json"),
                                                        ("utf-8", "application/json")])
async def test_gbk_and_utf8_bodies_are_read_and_answered_in_utf8(gateway, encoding, content_type):
    psn = await covered_person(gateway)
    answer, _ = await send(gateway, "1101", {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": "", "card_sn": "", "begntime": "", "psn_cert_type": "01",
        "certno": (await gateway.wait_covered(psn, "2026-12-04"))["baseinfo"]["certno"], "psn_name": "张三"}},
        encoding=encoding, content_type=content_type)
    assert ok(answer)["baseinfo"]["psn_name"] == "张三"


async def test_an_amount_a_double_wrote_is_read_as_its_cents_and_any_other_extra_decimal_refused(gateway):
    """The client computes in doubles: 33.3 x 3 is written 99.89999999999999 (a JSON number)."""
    psn = await covered_person(gateway)
    mdtrt_id = await admitted(gateway, psn)
    refused = await upload(gateway, fee("1", mdtrt_id, psn, "TA", "3.0000", "33.3000", 99.899))
    assert refused["infcode"] == -1 and "det_item_fee_sumamt" in refused["err_msg"]
    uploaded, text = await send(gateway, "2301", {"feedetail": [
        fee("1", mdtrt_id, psn, "TA", "3.0000", "33.3000", 33.3 * 3)]})
    assert ok(uploaded)["result"][0]["det_item_fee_sumamt"] == Decimal("99.90")
    assert '"det_item_fee_sumamt":99.90,' in text
    await discharge(gateway, psn, mdtrt_id)
    info = ok((await send(gateway, "2304", settle_input(psn, mdtrt_id, "99.9000")))[0])["setlinfo"]
    assert info["medfee_sumamt"] == Decimal("99.90")


async def test_1101_finds_a_person_by_social_security_card_number(gateway):
    await gateway.setup_registry()
    psn, card = f"P{secrets.token_hex(6)}", f"SSC{secrets.token_hex(4).upper()}"
    await publish(gateway.settings, PersonRegistered(
        psn_no=psn, certno=f"2113021976{secrets.randbelow(10**8):08d}", psn_name="李四", gend="2",
        brdy=date(1976, 1, 1), admdvs="211302", insutype="390", year=2026, household_id="HH1", category="adult",
        tier=None, enrollment_kind="new", premium_due="380.00", on_behalf_due="0.00", pack_id="211302-390",
        ssc_no=card))
    await publish(gateway.settings, activated(psn, "211302", "390"))

    async def found():
        answer, text = await send(gateway, "1101", {"data": {
            "mdtrt_cert_type": "03", "mdtrt_cert_no": card, "card_sn": "", "begntime": "", "psn_cert_type": "",
            "certno": "", "psn_name": ""}})
        return (answer, text) if answer["infcode"] == 0 else None

    answer, text = await value_of(found, "the card's holder to be found")
    assert answer["output"]["baseinfo"]["psn_no"] == psn
    insuinfo = answer["output"]["insuinfo"][0]
    assert insuinfo["psn_type"] == ADULT and '"balc":0.00' in text
    unknown, _ = await send(gateway, "1101", {"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": "NOCARD",
                                                       "certno": ""}})
    assert unknown["infcode"] == -1 and "social security card" in unknown["err_msg"]


async def test_answers_have_the_shapes_and_formats_typed_clients_read(gateway):
    psn = await covered_person(gateway)
    mdtrt_id = await admitted(gateway, psn)
    uploaded, text = await send(gateway, "2301", {"feedetail": [
        fee("1", mdtrt_id, psn, "TA", "2.0000", "120.0000", "240.0000"),
        fee("2", mdtrt_id, psn, "TB90", "1.0000", "100.0000", "100.0000")]})
    rows = ok(uploaded)["result"]
    assert '"det_item_fee_sumamt":240.00,"cnt":2,"pric":120.00,"pric_uplmt_amt":99999999.00' in text
    # TB90: ceiling 90, so 10.00 over it; pre-self-pay 10% of 90 = 9.00; scope 81.00
    assert (rows[1]["pric_uplmt_amt"], rows[1]["overlmt_amt"], rows[1]["preselfpay_amt"],
            rows[1]["inscp_scp_amt"]) == (Decimal("90.00"), Decimal("10.00"), Decimal("9.00"), Decimal("81.00"))
    assert re.search(r'"refmsg_time":"\d{17}"', text)
    await discharge(gateway, psn, mdtrt_id)

    preview = ok((await send(gateway, "2303", settle_input(psn, mdtrt_id, "340.0000")))[0])["setlinfo"]
    assert "setl_id" not in preview
    settled, text = await send(gateway, "2304", settle_input(psn, mdtrt_id, "340.0000"))
    output = ok(settled)
    info = output["setlinfo"]
    assert set(SETLINFO_FIELDS) <= set(info)
    assert (info["psn_type"], info["naty"], info["cvlserv_flag"], info["mdtrt_cert_type"], info["emp_name"],
            info["exp_content"]) == (ADULT, "", "0", "02", "", None)
    assert '"balc":0.00' in text and '"hifdm_pay":0.00' in text
    # scope 240 + 81 = 321, all within the deductible of 500: the fund pays nothing
    assert (info["inscp_scp_amt"], info["act_pay_dedc"], info["hifp_pay"]) == (
        Decimal("321.00"), Decimal("321.00"), Decimal("0.00"))

    reversed_ = ok((await send(gateway, "2305", {"data": {
        "psn_no": psn, "mdtrt_id": mdtrt_id, "setl_id": info["setl_id"], "exp_content": None}}))[0])
    assert reversed_["setlinfo"]["medfee_sumamt"] == Decimal("-340.00")
    assert [(row["crt_payb_lmt_amt"], row["fund_payamt"]) for row in reversed_["setldetail"]] == [
        (row["crt_payb_lmt_amt"], -row["fund_payamt"]) for row in output["setldetail"]]


async def test_a_stay_settles_after_discharge_or_mid_stay_and_pays_its_deductible_once(gateway):
    psn = await covered_person(gateway)
    mdtrt_id = await admitted(gateway, psn)
    ok(await upload(gateway, fee("1", mdtrt_id, psn, "TA", "1.0000", "800.0000", "800.0000")))
    not_discharged, _ = await send(gateway, "2304", settle_input(psn, mdtrt_id, "800.0000"))
    assert not_discharged["infcode"] == -1 and "2402" in not_discharged["err_msg"]
    first = ok((await send(gateway, "2304", settle_input(psn, mdtrt_id, "800.0000", mid_setl_flag="1")))[0])
    # 800 in scope; deductible 500; (800 - 500) x 0.70 = 210.00
    assert (first["setlinfo"]["act_pay_dedc"], first["setlinfo"]["hifp_pay"]) == (Decimal("500.00"),
                                                                                 Decimal("210.00"))
    ok(await upload(gateway, fee("2", mdtrt_id, psn, "TA", "1.0000", "1000.0000", "1000.0000")))
    still_open, _ = await send(gateway, "2304", settle_input(psn, mdtrt_id, "1000.0000"))
    assert still_open["infcode"] == -1 and "2402" in still_open["err_msg"]
    await discharge(gateway, psn, mdtrt_id)
    last = ok((await send(gateway, "2304", settle_input(psn, mdtrt_id, "1000.0000")))[0])
    # the deductible was met by the first settlement: 1000 x 0.70 = 700.00 (the stay: (1800 - 500) x 0.70 = 910)
    assert (last["setlinfo"]["medfee_sumamt"], last["setlinfo"]["act_pay_dedc"], last["setlinfo"]["hifp_pay"]) == (
        Decimal("1000.00"), Decimal("0.00"), Decimal("700.00"))


async def test_3201_counts_reversal_records_only_when_refd_setl_flag_is_1(gateway):
    await gateway.setup_registry()
    await gateway.institution("H211302W", "211302", "secondary")
    psn = await gateway.covered("211302")
    await gateway.settle_when_covered("H211302W", psn, "390", [("TA", "100.00", "1")])
    reversed_ = await gateway.admit_and_settle("H211302W", psn, "390", [("TA", "1000.00", "1")])
    await gateway.admit_and_settle("H211302W", psn, "390", [("TA", "2000.00", "1")])
    info = reversed_["setlinfo"]
    back, _ = await gateway.call("2305", "H211302W", {"data": {
        "psn_no": psn, "mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}})
    assert back["infcode"] == 0, back["err_msg"]
    # fund: 100 -> 0 (within the deductible); 1000 -> 350.00; 2000 -> 1050.00
    period = {"insutype": "390", "clr_type": "11", "setl_optins": "211302", "stmt_begndate": "2026-03-10",
              "stmt_enddate": "2026-03-10", "acct_pay": "0.0000"}
    settlements_only = {**period, "refd_setl_flag": "0", "medfee_sumamt": "3100.0000",
                        "fund_pay_sumamt": "1400.0000", "fixmedins_setl_cnt": "3"}
    with_reversals = {**period, "refd_setl_flag": "1", "medfee_sumamt": "2100.0000", "fund_pay_sumamt": "1050.0000",
                      "fixmedins_setl_cnt": "4"}
    for data in (settlements_only, with_reversals):
        answer, _ = await gateway.call("3201", "H211302W", {"data": data})
        assert answer["output"]["stmtinfo"] == {"setl_optins": "211302", "stmt_rslt": "0",
                                                "stmt_rslt_dscr": answer["output"]["stmtinfo"]["stmt_rslt_dscr"]}
    mixed, _ = await gateway.call("3201", "H211302W", {"data": {**settlements_only, "refd_setl_flag": "1"}})
    assert mixed["output"]["stmtinfo"]["stmt_rslt"] == "1"


async def test_an_outpatient_visit_takes_refund_lines_and_answers_as_the_inpatient_transactions_do(gateway):
    psn = await covered_person(gateway)
    registered, _ = await send(gateway, "2201", {"data": {
        "psn_no": psn, "insutype": "390", "begntime": "2026-12-04T10:30:00.000", "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "", "ipt_otp_no": "MZ0002", "atddr_no": "", "dr_name": "", "dept_code": "", "dept_name": "",
        "caty": "", "exp_content": None}})
    mdtrt_id = ok(registered)["data"]["mdtrt_id"]
    ok((await send(gateway, "2204", {"feedetail": [
        fee("1", mdtrt_id, psn, "TA", "3.0000", "50.0000", "150.0000", med_type="11")]}))[0])
    refund = (await send(gateway, "2204", {"feedetail": [
        fee("2", mdtrt_id, psn, "TA", "-1.0000", "50.0000", "-50.0000", med_type="11", init_feedetl_sn="1")]}))[0]
    assert ok(refund)["result"][0]["det_item_fee_sumamt"] == Decimal("-50.00")
    data = {"data": {**settle_input(psn, mdtrt_id, "100.0000")["data"], "med_type": "11"}}
    preview = ok((await send(gateway, "2206", data))[0])["setlinfo"]
    assert "setl_id" not in preview
    settled = ok((await send(gateway, "2207", data))[0])
    # first outpatient visit of the year: eligible 100 (150 - 50 refunded), deductible 40; (100 - 40) x 0.50 = 30.00
    assert (settled["setlinfo"]["medfee_sumamt"], settled["setlinfo"]["act_pay_dedc"],
            settled["setlinfo"]["hifp_pay"]) == (Decimal("100.00"), Decimal("40.00"), Decimal("30.00"))
    reversed_ = ok((await send(gateway, "2208", {"data": {
        "psn_no": psn, "mdtrt_id": mdtrt_id, "setl_id": settled["setlinfo"]["setl_id"]}}))[0])
    assert reversed_["setlinfo"]["hifp_pay"] == Decimal("-30.00")
    assert [row["crt_payb_lmt_amt"] for row in reversed_["setldetail"]] == [
        row["crt_payb_lmt_amt"] for row in settled["setldetail"]]
