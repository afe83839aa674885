"""Settlement through the NHSA gateway on the real database and broker: worked examples and the rules around them."""

from __future__ import annotations

import secrets

import pytest
from adjudication_gateway import activated, publish, wait_until

pytestmark = pytest.mark.integration


async def _covered(gateway, admdvs, insutype="390", **kw) -> str:
    psn_no = f"P{secrets.token_hex(6)}"
    await publish(gateway.settings, activated(psn_no, admdvs, insutype, **kw))

    async def visible():
        answer, _ = await gateway.call("1101", "ADMIN", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "",
                                                                   "certno": "", "psn_no": psn_no}},
                                       headers=gateway.admin)
        return answer

    return psn_no


async def _setup(gateway):
    for code, cls, ceiling in [("TA", "A", None), ("TB", "B", None), ("TC", "C", None), ("TB90", "B", "90")]:
        await gateway.catalogue(code, cls, ceiling)
    await gateway.institution("H211302S", "211302", "secondary")
    await gateway.institution("H211302T", "211302", "tertiary")
    await gateway.institution("H330326S", "330326", "secondary")
    await gateway.institution("H330302T", "330302", "tertiary")
    await gateway.institution("H500240P", "500240", "primary")
    await gateway.institution("H321100T", "321100", "tertiary")


async def _admit_when_covered(gateway, code, psn_no, insutype, fees, **kw):
    async def attempt():
        try:
            return await gateway.admit_and_settle(code, psn_no, insutype, fees, **kw)
        except AssertionError as refused:
            if "not insured" in str(refused):
                return None
            raise
    return await wait_until(attempt)


def _amounts(output, *names):
    return {n: str(output["setlinfo"][n]) for n in names}


async def test_e1_settles_to_the_fen_through_the_gateway(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "211302", brdy="1954-01-01")
    out = await _admit_when_covered(gateway, "H211302S", psn, "390",
                                    [("TA", "20000.00", "1"), ("TB", "8000.00", "1"), ("TC", "2000.00", "1")])
    assert _amounts(out, "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                    "psn_cash_pay", "pool_prop_selfpay") == {
        "fulamt_ownpay_amt": "2000.00", "preselfpay_amt": "800.00", "inscp_scp_amt": "27200.00",
        "act_pay_dedc": "500.00", "hifp_pay": "21360.00", "psn_cash_pay": "8640.00", "pool_prop_selfpay": "0.80"}
    assert out["setldetail"][0]["fund_pay_type"] == "390100"


async def test_e3_two_admissions_reach_the_pooled_then_assistance_cap(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "211302", category="dibao")
    first = await _admit_when_covered(gateway, "H211302T", psn, "390", [("TA", "100000.00", "1")])
    second = await gateway.admit_and_settle("H211302T", psn, "390", [("TA", "150000.00", "1")],
                                            begntime="2026-05-01 09:00:00")
    names = ("act_pay_dedc", "hifp_pay", "hifmi_pay", "maf_pay", "psn_cash_pay")
    assert _amounts(first, *names) == {"act_pay_dedc": "800.00", "hifp_pay": "60000.00", "hifmi_pay": "17840.00",
                                       "maf_pay": "15512.00", "psn_cash_pay": "6648.00"}
    assert _amounts(second, *names) == {"act_pay_dedc": "800.00", "hifp_pay": "0.00", "hifmi_pay": "115480.00",
                                        "maf_pay": "14488.00", "psn_cash_pay": "20032.00"}


async def test_e5_unreferred_in_city_admission_pays_over_the_price_ceiling(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "330326")
    out = await _admit_when_covered(gateway, "H330302T", psn, "390", [("TA", "10000.00", "1"),
                                                                      ("TB90", "1000.00", "10")])
    assert _amounts(out, "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay",
                    "psn_cash_pay") == {
        "overlmt_selfpay": "100.00", "preselfpay_amt": "90.00", "inscp_scp_amt": "10810.00",
        "act_pay_dedc": "1300.00", "hifp_pay": "4279.50", "psn_cash_pay": "6720.50"}


async def test_e6_tier_two_at_primary_level(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "500240", tier="tier2")
    out = await _admit_when_covered(gateway, "H500240P", psn, "390", [("TA", "3000.00", "1"), ("TB", "500.00", "1")])
    assert _amounts(out, "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "psn_cash_pay") == {
        "preselfpay_amt": "50.00", "inscp_scp_amt": "3450.00", "act_pay_dedc": "100.00", "hifp_pay": "2847.50",
        "psn_cash_pay": "652.50"}


async def test_a_repeated_msgid_returns_the_first_answer_byte_for_byte(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "211302")
    await _admit_when_covered(gateway, "H211302S", psn, "390", [("TA", "100.00", "1")])
    admitted, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "med_type": "21", "begntime": "2026-04-01 09:00:00"}})
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    await gateway.call("2301", "H211302S", {"feedetail": [{"feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": psn,
                                                           "med_list_codg": "TA", "det_item_fee_sumamt": 1000,
                                                           "cnt": "1", "pric": "1000"}]})
    data = {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id, "medfee_sumamt": "1000.00", "medins_setl_id": "M-1"}}
    first, first_bytes = await gateway.call("2304", "H211302S", data, msgid="H211302S-RETRY-1" + psn)
    again, again_bytes = await gateway.call("2304", "H211302S", data, msgid="H211302S-RETRY-1" + psn)
    assert first["infcode"] == 0 and again_bytes == first_bytes
    changed = {"data": {**data["data"], "medfee_sumamt": "999.00"}}
    conflict, _ = await gateway.call("2304", "H211302S", changed, msgid="H211302S-RETRY-1" + psn)
    assert conflict["infcode"] == -1 and "msgid" in conflict["err_msg"]
    twice, _ = await gateway.call("2304", "H211302S", data)
    assert twice["infcode"] == -1


async def test_malformed_inputs_name_the_field_and_record_nothing(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "211302")
    await _admit_when_covered(gateway, "H211302S", psn, "390", [("TA", "100.00", "1")])
    bad_date, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": psn, "insutype": "390", "med_type": "21", "begntime": "2026-13-01 09:00:00"}})
    assert bad_date["infcode"] == -1 and "begntime" in bad_date["err_msg"]
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
    wrong_sum, _ = await gateway.call("2304", "H211302S", {"data": {"psn_no": psn, "mdtrt_id": mdtrt_id,
                                                                     "medfee_sumamt": "11.00"}})
    assert wrong_sum["infcode"] == -1 and "medfee_sumamt" in wrong_sum["err_msg"]


async def test_a_hospital_cannot_act_for_another(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "211302")
    out = await _admit_when_covered(gateway, "H211302S", psn, "390", [("TA", "100.00", "1")])
    other, _ = await gateway.call("2304", "H211302T", {"data": {"psn_no": psn, "mdtrt_id": out["setlinfo"]["mdtrt_id"],
                                                                 "medfee_sumamt": "0"}},
                                  headers=gateway.his("H211302S"))
    assert other["infcode"] == -1 and "not authorised" in other["err_msg"]
    foreign, _ = await gateway.call("2305", "H211302T", {"data": {"psn_no": psn, "mdtrt_id": out["setlinfo"]["mdtrt_id"],
                                                                   "setl_id": out["setlinfo"]["setl_id"]}})
    assert foreign["infcode"] == -1 and "not authorised" in foreign["err_msg"]


async def test_an_uncovered_person_is_refused(gateway):
    await _setup(gateway)
    refused, _ = await gateway.call("2401", "H211302S", {"mdtrtinfo": {
        "psn_no": "NOBODY", "insutype": "390", "med_type": "21", "begntime": "2026-04-01 09:00:00"}})
    assert refused["infcode"] == -1 and "not insured" in refused["err_msg"]


async def test_reversal_restores_the_accumulators_and_cannot_happen_twice(gateway):
    await _setup(gateway)
    psn = await _covered(gateway, "211302", category="dibao")
    first = await _admit_when_covered(gateway, "H211302T", psn, "390", [("TA", "100000.00", "1")])
    info = first["setlinfo"]
    body = {"data": {"psn_no": psn, "mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}}
    reversed_, _ = await gateway.call("2305", "H211302T", body)
    assert reversed_["infcode"] == 0 and str(reversed_["output"]["setlinfo"]["hifp_pay"]) == "-60000.00"
    twice, _ = await gateway.call("2305", "H211302T", body)
    assert twice["infcode"] == -1 and "already reversed" in twice["err_msg"]
    again = await gateway.admit_and_settle("H211302T", psn, "390", [("TA", "100000.00", "1")])
    assert _amounts(again, "hifp_pay", "hifmi_pay", "maf_pay") == _amounts(first, "hifp_pay", "hifmi_pay", "maf_pay")


async def test_reconciliation_reports_match_and_mismatch(gateway):
    await _setup(gateway)
    await gateway.institution("H211302R", "211302", "secondary")
    psn = await _covered(gateway, "211302")
    out = await _admit_when_covered(gateway, "H211302R", psn, "390", [("TA", "1000.00", "1")])
    info = out["setlinfo"]
    period = {"insutype": "390", "stmt_begndate": "2026-03-10", "stmt_enddate": "2026-03-10",
              "medfee_sumamt": "1000.00", "fund_pay_sumamt": str(info["fund_pay_sumamt"]), "acct_pay": "0",
              "fixmedins_setl_cnt": "1"}
    match, _ = await gateway.call("3201", "H211302R", {"data": period})
    assert match["output"]["data"]["stmt_rslt"] == "0", match
    mismatch, _ = await gateway.call("3201", "H211302R", {"data": {**period, "medfee_sumamt": "999.00"}})
    assert mismatch["output"]["data"]["stmt_rslt"] == "1"
    assert "medfee_sumamt" in mismatch["output"]["data"]["stmt_rslt_dscr"]
