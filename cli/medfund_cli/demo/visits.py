"""The transaction sequences a HIS sends for one encounter: admission, fees, discharge, settlement.

``1101`` reads the card, ``2401``/``2201`` open the encounter, ``2301``/``2204`` upload the fee
details, ``2402`` discharges an inpatient, ``2304``/``2207`` settle and ``2305`` reverses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from medfund_cli.demo.fees import FeeLine, total
from medfund_cli.demo.gateway import TIME_FORMAT, GatewayRefusal, HisClient
from medfund_cli.demo.population import Person
from medfund_cli.demo.scenario import INSUTYPE
from medfund_shared.money import Money

ID_CARD = "02"
DIAGNOSES = {"11": ("J06.900", "急性上呼吸道感染"), "21": ("J18.900", "肺炎"), "52": ("O80.000", "单胎顺产"),
             "expensive": ("I21.900", "急性心肌梗死")}


@dataclass(frozen=True)
class Settled:
    setl_id: str
    mdtrt_id: str
    psn_no: str
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    psn_cash_pay: Money
    funds: dict[str, Money]
    acct_pay: Money = Money.zero()


@dataclass(frozen=True)
class Encounter:
    person: Person
    med_type: str
    """``11`` outpatient, ``21`` inpatient, ``52`` maternity."""
    begins: datetime
    stay_days: int
    lines: list[FeeLine]
    expensive: bool = False
    insutype: str = INSUTYPE
    acct_used_flag: str = "0"
    """``1``: an employee's individual account pays what it can of the personal share."""

    @property
    def ends(self) -> datetime:
        return self.begins + timedelta(days=self.stay_days, hours=1 if not self.stay_days else 0)

    @property
    def inpatient(self) -> bool:
        return self.med_type != "11"


async def read_card(his: HisClient, person: Person, when: datetime) -> str:
    """``1101``: the person's number (and, for the HIS, whether they are covered)."""
    return (await _card(his, person, when))["baseinfo"]["psn_no"]


async def insured(his: HisClient, person: Person, when: datetime) -> bool:
    """Whether ``1101`` shows the person insured under the resident scheme in ``when``'s year."""
    try:
        output = await _card(his, person, when)
    except GatewayRefusal:
        return False
    return any(row.get("insutype") == INSUTYPE for row in output.get("insuinfo") or [])


async def _card(his: HisClient, person: Person, when: datetime) -> dict[str, Any]:
    return await his.call("1101", when, {"data": {"mdtrt_cert_type": ID_CARD, "mdtrt_cert_no": person.certno,
                                                  "psn_cert_type": "01", "certno": person.certno,
                                                  "psn_name": person.psn_name}})


async def settle(his: HisClient, encounter: Encounter, psn_no: str) -> Settled:
    """Open, upload fees, (discharge,) settle: the whole encounter."""
    person, when = encounter.person, encounter.begins
    diagnosis = DIAGNOSES["expensive" if encounter.expensive else encounter.med_type]
    if encounter.inpatient:
        opened = await his.call("2401", when, {"mdtrtinfo": _admission(encounter, psn_no, diagnosis),
                                               "diseinfo": [_disease(psn_no, diagnosis, when)]})
    else:
        opened = await his.call("2201", when, {"data": _registration(encounter, psn_no)})
    mdtrt_id = (opened.get("result") or opened.get("data"))["mdtrt_id"]
    upload = "2301" if encounter.inpatient else "2204"
    await his.call(upload, when, {"feedetail": _fee_details(encounter, mdtrt_id, psn_no)})
    if encounter.inpatient:
        await his.call("2402", encounter.ends, {"dscginfo": {
            "mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": encounter.insutype,
            "endtime": encounter.ends.strftime(TIME_FORMAT),
            "dise_codg": diagnosis[0], "dise_name": diagnosis[1], "dscg_way": "1", "dscg_dept_codg": "A03",
            "dscg_dept_name": "内科"}, "diseinfo": [_disease(psn_no, diagnosis, encounter.ends)]})
    output = await his.call("2304" if encounter.inpatient else "2207", encounter.ends, {"data": {
        "psn_no": psn_no, "mdtrt_cert_type": ID_CARD, "mdtrt_cert_no": person.certno, "med_type": encounter.med_type,
        "medfee_sumamt": total(encounter.lines).to_yuan(), "psn_setlway": "01", "mdtrt_id": mdtrt_id,
        "insutype": encounter.insutype, "acct_used_flag": encounter.acct_used_flag, "mid_setl_flag": "0", "invono": "",
        "medins_setl_id": his.setl_id(), "chrg_bchno": mdtrt_id}})
    return _settled(output, mdtrt_id, psn_no)


async def reverse(his: HisClient, settled: Settled, when: datetime) -> Settled:
    """``2305``: cancel a settlement (every amount negated)."""
    output = await his.call("2305", when, {"data": {"mdtrt_id": settled.mdtrt_id, "setl_id": settled.setl_id,
                                                    "psn_no": settled.psn_no}})
    return _settled(output, settled.mdtrt_id, settled.psn_no)


def _settled(output: dict[str, Any], mdtrt_id: str, psn_no: str) -> Settled:
    info = output["setlinfo"]
    funds: dict[str, Money] = {}
    for row in output.get("setldetail") or []:
        funds[row["fund_pay_type"]] = funds.get(row["fund_pay_type"], Money.zero()) + _money(row["fund_payamt"])
    return Settled(str(info["setl_id"]), mdtrt_id, psn_no, _money(info["medfee_sumamt"]),
                   _money(info["fund_pay_sumamt"]), _money(info["psn_cash_pay"]), funds,
                   _money(info.get("acct_pay") or 0))


def _money(value: Decimal | int | str) -> Money:
    return Money.from_yuan(Decimal(str(value)))


def _admission(encounter: Encounter, psn_no: str, diagnosis: tuple[str, str]) -> dict[str, Any]:
    person = encounter.person
    return {"psn_no": psn_no, "insutype": encounter.insutype, "coner_name": "", "tel": "",
            "begntime": encounter.begins.strftime(TIME_FORMAT), "mdtrt_cert_type": ID_CARD,
            "mdtrt_cert_no": person.certno, "med_type": encounter.med_type,
            "ipt_no": f"ZY{encounter.begins:%y%m%d%H%M%S}",
            "medrcdno": "", "atddr_no": "D001", "chfpdr_name": "谭医生", "adm_diag_dscr": diagnosis[1],
            "adm_dept_codg": "A03", "adm_dept_name": "内科", "adm_bed": "", "dscg_maindiag_code": diagnosis[0],
            "dscg_maindiag_name": diagnosis[1], "main_cond_dscr": "", "dise_codg": diagnosis[0],
            "dise_name": diagnosis[1], "oprn_oprt_code": "", "oprn_oprt_name": "", "refl_flag": "0"}


def _registration(encounter: Encounter, psn_no: str) -> dict[str, Any]:
    return {"psn_no": psn_no, "insutype": encounter.insutype, "begntime": encounter.begins.strftime(TIME_FORMAT),
            "mdtrt_cert_type": ID_CARD, "mdtrt_cert_no": encounter.person.certno, "med_type": encounter.med_type,
            "ipt_otp_no": f"MZ{encounter.begins:%y%m%d%H%M%S}", "atddr_no": "D002", "dr_name": "冉医生",
            "dept_code": "A01", "dept_name": "全科", "caty": "A01", "refl_flag": "0"}


def _disease(psn_no: str, diagnosis: tuple[str, str], when: datetime) -> dict[str, Any]:
    return {"psn_no": psn_no, "diag_type": "1", "maindiag_flag": "1", "diag_srt_no": "1", "diag_code": diagnosis[0],
            "diag_name": diagnosis[1], "diag_dept": "内科", "dise_dor_no": "D001", "dise_dor_name": "谭医生",
            "diag_time": when.strftime(TIME_FORMAT), "vali_flag": "1"}


def _fee_details(encounter: Encounter, mdtrt_id: str, psn_no: str) -> list[dict[str, Any]]:
    return [{"feedetl_sn": f"{n + 1:04d}", "init_feedetl_sn": "", "mdtrt_id": mdtrt_id, "drord_no": "",
             "psn_no": psn_no, "med_type": encounter.med_type,
             "fee_ocur_time": encounter.begins.strftime(TIME_FORMAT), "med_list_codg": line.item.code,
             "medins_list_codg": line.item.code, "det_item_fee_sumamt": line.amount.to_yuan(), "cnt": str(line.cnt),
             "pric": line.item.price, "bilg_dept_codg": "A03", "bilg_dept_name": "内科", "bilg_dr_codg": "D001",
             "bilg_dr_name": "谭医生", "hosp_appr_flag": "1", "chrg_bchno": mdtrt_id}
            for n, line in enumerate(encounter.lines)]
