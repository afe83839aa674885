"""Business metrics through the running services, as an operations team's Prometheus scrapes them.

Four residents of Shizhu are enrolled and pay their premiums through the tax bureau's API; a secondary hospital
with a small global budget admits, discharges and settles each of them through the NHSA gateway, so its budget
alert fires. The module runs on a service set of its own (fresh databases, so the pools hold only this story)
with adjudication on two uvicorn workers: whichever worker a scrape reaches, it must answer the same totals.
Expected figures are what this module sent and what the APIs answered; the metrics must say the same.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from collections import Counter as Tally
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from medfund_deploy import dashboards, services
from medfund_deploy.chaos import ServiceSet
from medfund_deploy.profiles import Profile
from medfund_deploy.pytest_plugin import own_service_set
from medfund_shared.money import Money

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, certno, clients_of_set, eventually, yuan  # noqa: E402

pytestmark = pytest.mark.e2e
TWO_WORKERS = Profile("metrics-test", postgres_port=26432, kafka_port=19092, controller_port=19093,
                      first_service_port=28701, workers=(("adjudication", 2),)).shifted()
"""Services on 28701-28704 against the shared test infrastructure, adjudication with two workers (as the dev stack)."""
ADMDVS, YEAR, TIER = "500240", 2026, "tier1"
TAX_OFFICE = "15002400000"
ENROLLED_ON = "2025-10-15"
PAID_AT = "2025-11-20T10:15:00+08:00"
ADMITTED, SETTLED, REVERSED = "2026-04-01 09:00:00", "2026-04-08 10:00:00", "2026-04-09 09:00:00"
STAY_COST = Money.from_yuan("800.00")
BUDGET = Money.from_yuan("500.00")
SERVICES = ("enrollment", "billing", "adjudication", "ledger")
SERVICE_NAMES = {"enrollment": "enrollment", "billing": "billing", "adjudication": "adjudication",
                 "ledger": "fund-ledger"}
"""The ``service`` label each service puts on its metrics."""
Samples = dict[tuple[str, frozenset], float]


@dataclass(frozen=True)
class Story:
    premiums: list[Money]
    settlements: list[dict]
    """The 2304 answers' ``output``."""
    institution: str


def samples(text: str) -> Samples:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(scraped: Samples, name: str, **labels: str) -> float | None:
    return scraped.get((name, frozenset(labels.items())))


@pytest.fixture(scope="module")
def own_services(test_stack, service_database) -> Iterator[ServiceSet]:
    with own_service_set(TWO_WORKERS, test_stack, service_database) as service_set:
        yield service_set


@pytest.fixture(scope="module")
async def clients(test_stack, own_services) -> Clients:
    """Without keep-alive: every request opens a connection, which either adjudication worker may accept."""
    async with clients_of_set(test_stack, own_services, httpx.Limits(max_keepalive_connections=0)) as clients:
        yield clients


async def scrape(clients: Clients, service: str) -> Samples:
    response = await clients.http.get(f"{getattr(clients, service)}/metrics")
    assert response.status_code == 200, response.text
    return samples(response.text)


async def enrol_and_pay(clients: Clients) -> tuple[list[dict], list[Money]]:
    births = [date(1970, 3, 4), date(1975, 6, 7), date(1980, 9, 10), date(1985, 12, 13)]
    sent = [{"certno": certno(ADMDVS, brdy, i % 2 == 0), "psn_name": "谭明", "gend": "1" if i % 2 == 0 else "2",
             "brdy": brdy.isoformat(), "category": "adult"} for i, brdy in enumerate(births)]
    answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201, json={
        "admdvs": ADMDVS, "insutype": "390", "year": YEAR, "tier": TIER, "enrolled_on": ENROLLED_ON, "members": sent})
    members = answer["members"]
    tax = clients.auth("tax", tax_office_code=TAX_OFFICE)
    premiums = [yuan(member["premium_due"]) for member in members]
    for member, premium in zip(members, premiums, strict=True):
        await clients.call("POST", f"{clients.billing}/v1/collections", tax, 201, json={
            "tax_voucher_no": f"MET{secrets.token_hex(8)}", "certno": member["certno"], "psn_name": "缴费人",
            "insutype": "390", "admdvs": ADMDVS, "period_year": YEAR, "amount": premium.to_yuan(),
            "paid_at": PAID_AT, "tax_office_code": TAX_OFFICE, "channel": "etax"})
    return members, premiums


async def covered(clients: Clients, institution: str, member: dict) -> dict:
    return await clients.gateway("1101", institution, {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": member["certno"], "psn_cert_type": "01",
        "certno": member["certno"], "psn_name": ""}}, inf_time=ADMITTED)


async def register_hospital(clients: Clients) -> str:
    code, admin = f"HM{secrets.token_hex(5).upper()}", clients.auth("admin")
    await clients.call("PUT", f"{clients.adjudication}/v1/institutions/{code}", admin, json={
        "name": "石柱指标医院", "admdvs": ADMDVS, "level": "secondary", "annual_budget": "1000000.00"})
    await clients.call("PUT", f"{clients.adjudication}/v1/catalogue/{code}A", admin, json={
        "name": "住院床位费", "class": "A", "pric_uplmt_amt": None})
    budget = await eventually(lambda: clients.http.put(f"{clients.ledger}/v1/institutions/{code}/budget",
                                                       headers=admin,
                                                       json={"year": YEAR, "annual_budget": BUDGET.to_yuan()}),
                              lambda response: response.status_code != 404)
    assert budget.status_code == 200, budget.text
    return code


async def stay(clients: Clients, institution: str, member: dict) -> dict:
    """2401 → 2301 → 2402 → 2304 for one member; the settlement's answer."""
    psn_no = member["psn_no"]
    admitted = await clients.gateway("2401", institution, {"mdtrtinfo": {
        "psn_no": psn_no, "insutype": "390", "mdtrt_cert_type": "02", "mdtrt_cert_no": member["certno"],
        "med_type": "21", "ipt_no": f"ZY{secrets.token_hex(4)}", "begntime": ADMITTED, "refl_flag": "0"},
        "diseinfo": [{"diag_code": "J18.900", "diag_name": "肺炎", "maindiag_flag": "1"}]}, inf_time=ADMITTED)
    assert admitted["infcode"] == 0, admitted["err_msg"]
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    uploaded = await clients.gateway("2301", institution, {"feedetail": [{
        "feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": "21", "fee_ocur_time": ADMITTED,
        "med_list_codg": f"{institution}A", "medins_list_codg": "CW001", "det_item_fee_sumamt": STAY_COST.to_yuan(),
        "cnt": "8", "pric": "100.00"}]}, inf_time=ADMITTED)
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    discharged = await clients.gateway("2402", institution, {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": "390", "endtime": SETTLED, "dscg_way": "1"},
        "diseinfo": []}, inf_time=SETTLED)
    assert discharged["infcode"] == 0, discharged["err_msg"]
    settled = await clients.gateway("2304", institution, {"data": {
        "psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": member["certno"],
        "medfee_sumamt": STAY_COST.to_yuan(), "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "390",
        "acct_used_flag": "0", "mid_setl_flag": "0", "invono": "", "medins_setl_id": f"JS{secrets.token_hex(8)}"}},
        inf_time=SETTLED)
    assert settled["infcode"] == 0, settled["err_msg"]
    return settled["output"]


async def booked(clients: Clients, kind: str) -> int:
    entries = await clients.journal_after(f"{ADMDVS}:390100:{YEAR}", 0)
    return sum(1 for entry in entries if entry["kind"] == kind)


async def reverse(clients: Clients, institution: str, member: dict, settlement: dict) -> None:
    info = settlement["setlinfo"]
    answer = await clients.gateway("2305", institution, {"data": {
        "psn_no": member["psn_no"], "mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}}, inf_time=REVERSED)
    assert answer["infcode"] == 0, answer["err_msg"]


@pytest.fixture(scope="module")
async def story(clients) -> Story:
    members, premiums = await enrol_and_pay(clients)
    institution = await register_hospital(clients)
    for member in members:
        answer = await eventually(lambda m=member: covered(clients, institution, m), lambda a: a["infcode"] == 0)
        assert answer["infcode"] == 0, answer["err_msg"]
    answers = await asyncio.gather(*(stay(clients, institution, member) for member in members))
    await reverse(clients, institution, members[0], answers[0])
    settled = await eventually(lambda: booked(clients, "settlement"), lambda n: n == len(members))
    assert settled == len(members), "the ledger books every settlement"
    reversed_ = await eventually(lambda: booked(clients, "settlement_reversed"), lambda n: n == 1)
    assert reversed_ == 1, "the ledger books the reversal"
    firing = await eventually(lambda: clients.alerts("firing"), lambda alerts: any(
        a["rule"] == "institution_budget" and a["subject_id"] == institution for a in alerts))
    assert any(a["subject_id"] == institution for a in firing), "the budget's alert fires (960.00 paid of 500.00)"
    return Story(premiums, list(answers), institution)


def worker_pids_that_answered_scrapes(service: str) -> set[int]:
    """The adjudication processes whose own counter file counts a ``GET /metrics``."""
    pids = set()
    for path in services.metrics_dir(TWO_WORKERS, service).glob("counter_*.db"):
        for key, count, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            _, sample, labels, _ = json.loads(key)
            if sample == "medfund_http_requests_total" and labels.get("route") == "/metrics" and count > 0:
                pids.add(int(path.stem.rsplit("_", 1)[1]))
    return pids


def fund_payments(answers: list[dict]) -> Tally:
    paid = Tally()
    for answer in answers:
        for row in answer["setldetail"]:
            paid[row["fund_pay_type"]] += yuan(row["fund_payamt"]).fen
    return paid


async def test_both_adjudication_workers_answer_the_same_settlement_totals(clients, story):
    """Four settlements and one reversal (of the first), the reversal's amounts counted as taken back."""
    paid, taken_back = fund_payments(story.settlements), fund_payments(story.settlements[:1])
    assert paid["390100"] > 0, "the pooled fund paid part of each stay"
    fees = "medfund_settlement_medical_fees_fen_total"
    expected = {("medfund_settlements_total", "settlement", None): len(story.settlements),
                ("medfund_settlements_total", "reversal", None): 1,
                (fees, "settlement", None): len(story.settlements) * STAY_COST.fen,
                (fees, "reversal", None): STAY_COST.fen,
                **{("medfund_fund_payments_fen_total", "settlement", fund): fen for fund, fen in paid.items()},
                **{("medfund_fund_payments_fen_total", "reversal", fund): fen for fund, fen in taken_back.items()}}
    level = dict(admdvs=ADMDVS, insutype="390", institution_level="secondary")
    answers = []
    for _ in range(40):
        scraped = await scrape(clients, "adjudication")
        answers.append({(name, kind, fund): value(scraped, name, **level, kind=kind,
                                                  **({"fund_pay_type": fund} if fund else {}))
                        for name, kind, fund in expected})
        if len(answers) >= 10 and len(worker_pids_that_answered_scrapes("adjudication")) == 2:
            break
    assert len(worker_pids_that_answered_scrapes("adjudication")) == 2, "both workers answered scrapes"
    assert all(answer == expected for answer in answers), answers


async def test_billing_counts_the_premiums_received(clients, story):
    scraped = await scrape(clients, "billing")
    labels = dict(admdvs=ADMDVS, insutype="390", channel="etax")
    assert value(scraped, "medfund_payments_received_total", **labels) == len(story.premiums)
    assert value(scraped, "medfund_payments_received_fen_total", **labels) == sum(p.fen for p in story.premiums)


async def test_the_ledger_exposes_each_pools_figures_as_its_api_shows_them(clients, story):
    pools = await clients.call("GET", f"{clients.ledger}/v1/pools", clients.auth("operator"))
    scraped = await scrape(clients, "ledger")
    assert {pool["pool_id"] for pool in pools} >= {f"{ADMDVS}:390100:{YEAR}"}
    for pool in pools:
        labels = dict(pool_id=pool["pool_id"], admdvs=pool["admdvs"], fund_pay_type=pool["fund_pay_type"],
                      year=str(pool["year"]))
        for figure in ("income", "expenditure", "payable", "balance"):
            assert value(scraped, f"medfund_pool_{figure}_fen", **labels) == yuan(pool[figure]).fen, (pool, figure)


async def test_the_ledger_exposes_the_open_alerts_by_rule_severity_and_state(clients, story):
    listed = Tally((a["rule"], a["severity"], a["state"]) for a in await clients.alerts("firing"))
    scraped = await scrape(clients, "ledger")
    exposed = {(dict(labels)["rule"], dict(labels)["severity"], dict(labels)["state"]): count
               for (name, labels), count in scraped.items() if name == "medfund_alerts_open"}
    assert {key: count for key, count in exposed.items() if count} == dict(listed)
    assert exposed[("institution_budget", "red", "firing")] >= 1
    assert exposed[("large_claim", "yellow", "acknowledged")] == 0, "every rule has its series, 0 when none"


async def test_every_service_exposes_its_dead_letter_backlog(clients, story):
    listed = await clients.dead_letters()
    for service in SERVICES:
        scraped = await scrape(clients, service)
        backlog = {dict(labels)["consumer"]: count for (name, labels), count in scraped.items()
                   if name == "medfund_dead_letters_unresolved"}
        assert backlog, f"{service} exposes medfund_dead_letters_unresolved"
        assert sum(backlog.values()) == len(listed[service])
        assert value(scraped, "medfund_metrics_read_up", service=SERVICE_NAMES[service], reader="dead_letters") == 1


async def test_every_dashboard_expression_names_a_metric_the_services_expose(clients, story):
    exposed = set()
    for service in SERVICES:
        exposed |= {name for name, _ in await scrape(clients, service)}
    for path, dashboard in dashboards.dashboards().items():
        for expression in dashboards.expressions(dashboard):
            assert dashboards.metric_names(expression) <= exposed, (path.name, expression,
                                                                    dashboards.metric_names(expression) - exposed)
