"""Who may see and do what, through a real flow on the probe services; and no ID number in the logs.

A covered person is admitted by hospital A. Hospital B's ``his`` token can neither act for A (envelope
naming A) nor touch A's admission; a ``tax`` token feeds only its own office. Afterwards no valid
18-character resident ID used in the flow appears unmasked in any service log written this session.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from medfund_bench.workload import GATEWAY, HOSPITAL, OFFICE, Medfund, stay_amount  # noqa: E402

from medfund_deploy.chaos import ServiceSet  # noqa: E402
from medfund_deploy.profiles import SERVICES  # noqa: E402
from medfund_shared.auth import issue_token  # noqa: E402
from medfund_shared.settings import Settings  # noqa: E402

pytestmark = pytest.mark.security
OTHER_HOSPITAL, OTHER_OFFICE = "H50024000902", "15002300000"


@pytest.fixture(scope="module")
async def flow(probe_services: ServiceSet) -> dict:
    api = Medfund({service: probe_services.require(service) for service in SERVICES})
    try:
        await api.registry()
        person = await api.enroll(api.person(1))
        await api.pay(person, 1)
        assert await api.covered(person, 120), "the person never became covered"
        import random

        amount = stay_amount(random.Random(1))
        mdtrt_id, ends = await api.prepare_stay(person, 1, amount)
        return {"api_urls": api.urls, "person": person, "mdtrt_id": mdtrt_id, "ends": ends, "amount": amount,
                "certnos": [person.certno, api.person(2).certno]}
    finally:
        await api.close()


def other_his() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(Settings(), 'his', fixmedins_code=OTHER_HOSPITAL)}"}


def envelope(infno: str, fixmedins_code: str, payload: dict, msgid: str) -> dict:
    return {"infno": infno, "msgid": msgid, "inf_time": "2026-07-01 10:00:00", "fixmedins_code": fixmedins_code,
            "mdtrtarea_admvs": "500240", "insuplc_admdvs": "500240", "input": payload}


async def test_his_cannot_act_in_another_hospitals_name(probe_services: ServiceSet, flow: dict) -> None:
    person = flow["person"]
    body = envelope("2304", HOSPITAL, {"data": {"psn_no": person.psn_no, "mdtrt_id": flow["mdtrt_id"],
                                                "medfee_sumamt": flow["amount"].to_yuan(), "insutype": "390"}},
                    f"{OTHER_HOSPITAL}X0000000000000001")
    response = httpx.post(probe_services.url("adjudication") + GATEWAY, json=body, headers=other_his(), timeout=30)
    assert response.status_code == 403 or response.json().get("infcode") == -1, response.text[:300]


async def test_his_cannot_settle_or_read_another_hospitals_admission(probe_services: ServiceSet, flow: dict) -> None:
    person = flow["person"]
    base = probe_services.url("adjudication")
    settle = envelope("2304", OTHER_HOSPITAL, {"data": {"psn_no": person.psn_no, "mdtrt_id": flow["mdtrt_id"],
                                                        "medfee_sumamt": flow["amount"].to_yuan(), "insutype": "390"}},
                      f"{OTHER_HOSPITAL}X0000000000000002")
    answer = httpx.post(base + GATEWAY, json=settle, headers=other_his(), timeout=30)
    assert answer.status_code == 403 or answer.json().get("infcode") == -1, answer.text[:300]
    fees = envelope("2302", OTHER_HOSPITAL, {"data": {"feedetl_sn": "0000", "mdtrt_id": flow["mdtrt_id"],
                                                      "psn_no": person.psn_no}}, f"{OTHER_HOSPITAL}X0000000000000003")
    answer = httpx.post(base + GATEWAY, json=fees, headers=other_his(), timeout=30)
    assert answer.status_code == 403 or answer.json().get("infcode") == -1, answer.text[:300]
    native = httpx.post(f"{base}/v1/settlements", json={"mdtrt_id": flow["mdtrt_id"], "psn_no": person.psn_no,
                                                        "medfee_sumamt": flow["amount"].to_yuan()},
                        headers=other_his(), timeout=30)
    assert native.status_code in (403, 404, 422), native.text[:300]
    own = await_settle_still_possible(probe_services, flow)
    assert own == 0, "hospital A's own settlement must still succeed after B's attempts"


def await_settle_still_possible(probe_services: ServiceSet, flow: dict) -> int:
    person = flow["person"]
    token = issue_token(Settings(), "his", fixmedins_code=HOSPITAL)
    body = envelope("2304", HOSPITAL, {"data": {"psn_no": person.psn_no, "mdtrt_id": flow["mdtrt_id"],
                                                "medfee_sumamt": flow["amount"].to_yuan(), "insutype": "390",
                                                "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno,
                                                "psn_setlway": "01", "acct_used_flag": "0", "mid_setl_flag": "0"}},
                    f"{HOSPITAL}X0000000000000004")
    body["inf_time"] = flow["ends"].strftime("%Y-%m-%d %H:%M:%S")
    answer = httpx.post(probe_services.url("adjudication") + GATEWAY, json=body,
                        headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    return answer["infcode"]


def test_tax_token_feeds_only_its_own_office(probe_services: ServiceSet, flow: dict) -> None:
    person = flow["person"]
    record = {"tax_voucher_no": "VOTHEROFFICE0001", "certno": person.certno, "psn_name": person.name,
              "insutype": "390", "admdvs": "500240", "period_year": 2026, "amount": "1.00",
              "paid_at": "2025-11-20T10:00:00+08:00", "tax_office_code": OFFICE, "channel": "etax"}
    token = issue_token(Settings(), "tax", tax_office_code=OTHER_OFFICE)
    response = httpx.post(probe_services.url("billing") + "/v1/collections", json=record, timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403, response.text[:300]
    assert response.json()["error"]["code"] == "forbidden"


def test_no_resident_id_in_the_logs_unmasked(probe_services: ServiceSet, flow: dict) -> None:
    leaks = {service: [c for c in flow["certnos"] if c in probe_services.new_log_text(service)] for service in SERVICES}
    written = sum(len(probe_services.new_log_text(service)) for service in SERVICES)
    assert written > 0, "the services wrote no log at all: the check would be vacuous"
    assert {s: found for s, found in leaks.items() if found} == {}
