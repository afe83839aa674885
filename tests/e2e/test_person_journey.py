"""One household's year through the four services' public APIs, as architecture.md "Tests" asks.

An operator enrols two people in Shizhu (500240) for 2026; the tax bureau's feed brings one full premium
in the window and one partial; the covered member is treated as an inpatient in a new hospital with a small
global budget, which the settlement tips into an alert; the settlement is reversed. Expected figures come
from the policy pack, not from the services. Everything is keyed by this module's own people and
institution, so the demo sharing the session's services does not disturb it (pool figures are compared
as changes from before the first payment).
"""

from __future__ import annotations

import secrets
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from medfund_shared.money import Money
from medfund_shared.policy.contributions import ResidentPerson, resident_premium, split_subsidy
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.policy.schema import PolicyPack

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Arrival, Clients, KeyWatch, certno, eventually, quiet, yuan  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR, TIER = "500240", 2026, "tier1"
POOL_ID = f"{ADMDVS}:390100:{YEAR}"
TAX_OFFICE = "15002400000"
SHIPPED_HOSPITAL = "H50024000001"
ENROLLED_ON = date(2025, 10, 15)
PAID_AT = "2025-11-20T10:15:00+08:00"
SHORT_BY = Money.from_yuan("40.00")
ADMITTED, SETTLED, REVERSED = "2026-03-02 09:00:00", "2026-03-09 10:00:00", "2026-03-10 09:00:00"
STAY_COST = Money.from_yuan("1000.00")
BUDGET = Money.from_yuan("600.00")
ALERT_TYPE = "medfund.fund.alert.v1"


@dataclass(frozen=True)
class Member:
    certno: str
    brdy: date
    psn_no: str
    premium_due: Money


@dataclass(frozen=True)
class LedgerMark:
    """The pool's figures and last journal entry id at one moment (zero before the pool exists)."""

    income: Money
    expenditure: Money
    payable: Money
    cursor: int


@dataclass(frozen=True)
class Settlement:
    answer: dict
    answered_at: float
    alert: Arrival | None
    """The first firing change of the institution's budget alert on the alerts topic."""
    alerts_api: list[dict]
    """The institution's budget alerts in ``GET /v1/alerts?state=firing`` once the topic had it."""
    entry: dict | None
    after: LedgerMark


@dataclass(frozen=True)
class Reversal:
    answer: dict
    resolved: Arrival | None
    alerts_api: list[dict]
    """The institution's budget alerts in ``GET /v1/alerts?state=resolved`` once the topic had the change."""
    entry: dict | None
    after: LedgerMark


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return PackSet.load().in_force(ADMDVS, "390", date(YEAR, 1, 1))


def pack_premium(pack: PolicyPack, brdy: date) -> Money:
    return resident_premium(pack, ResidentPerson(brdy, frozenset({"adult"}), TIER), YEAR, ENROLLED_ON).individual


def pack_subsidy(pack: PolicyPack) -> Money:
    return sum((line.amount for line in split_subsidy(pack.contributions.resident.subsidy)), Money.zero())


async def ledger_mark(clients: Clients, since: int = 0) -> LedgerMark:
    pool = await clients.pool(POOL_ID)
    if pool is None:
        return LedgerMark(Money.zero(), Money.zero(), Money.zero(), 0)
    entries = await clients.journal_after(POOL_ID, since)
    return LedgerMark(yuan(pool["income"]), yuan(pool["expenditure"]), yuan(pool["payable"]),
                      entries[-1]["entry_id"] if entries else since)


@pytest.fixture(scope="module")
async def household(clients) -> list[Member]:
    """Step 1: two adults enrolled together, as the operator's front desk does."""
    people = [(date(1981, 4, 9), "1", "冉建国"), (date(1983, 7, 21), "2", "马秀英")]
    sent = [{"certno": certno(ADMDVS, brdy, gend == "1"), "psn_name": name, "gend": gend, "brdy": brdy.isoformat(),
             "category": "adult"} for brdy, gend, name in people]
    answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201, json={
        "admdvs": ADMDVS, "insutype": "390", "year": YEAR, "tier": TIER, "enrolled_on": ENROLLED_ON.isoformat(),
        "members": sent})
    by_certno = {m["certno"]: m for m in answer["members"]}
    return [Member(s["certno"], date.fromisoformat(s["brdy"]), by_certno[s["certno"]]["psn_no"],
                   yuan(by_certno[s["certno"]]["premium_due"])) for s in sent]


@pytest.fixture(scope="module")
async def before(clients, services_running) -> LedgerMark:
    """The pooled fund before this journey's first payment, once earlier modules' events sharing the pool's year
    (the HIS client flows' covers, each making a catastrophic premium due) have all landed: what the ledger
    checks compare against."""
    await quiet(clients, services_running.databases)
    return await ledger_mark(clients)


@pytest.fixture(scope="module")
async def paid(clients, household, before, pack) -> Money:
    """Step 2: the bureau's feed pays the first member's premium in full and the second's in part.

    Returns the income the pack says these payments bring, once the ledger shows it (or the deadline passed).
    """
    payer, partial = household
    amounts = [pack_premium(pack, payer.brdy), pack_premium(pack, partial.brdy) - SHORT_BY]
    tax = clients.auth("tax", tax_office_code=TAX_OFFICE)
    for member, amount in zip(household, amounts, strict=True):
        await clients.call("POST", f"{clients.billing}/v1/collections", tax, 201, json={
            "tax_voucher_no": f"JRN{secrets.token_hex(8)}", "certno": member.certno, "psn_name": "缴费人",
            "insutype": "390", "admdvs": ADMDVS, "period_year": YEAR, "amount": amount.to_yuan(), "paid_at": PAID_AT,
            "tax_office_code": TAX_OFFICE, "channel": "etax"})
    expected = sum(amounts, Money.zero()) + pack_subsidy(pack)
    await eventually(lambda: clients.person(payer.psn_no), lambda p: p["coverage"] != [])
    await eventually(lambda: person_info(clients, payer), lambda a: a["infcode"] == 0)
    await eventually(lambda: ledger_mark(clients, before.cursor), lambda m: m.income - before.income == expected
                     and m.expenditure - before.expenditure == pack.financing.catastrophic_per_person)
    return expected


async def person_info(clients: Clients, member: Member) -> dict:
    """1101 from a county hospital's card reader, on the day of the admission."""
    return await clients.gateway("1101", SHIPPED_HOSPITAL, {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": member.certno, "psn_cert_type": "01", "certno": member.certno,
        "psn_name": ""}}, inf_time="2026-03-02 08:30:00")


@pytest.fixture(scope="module")
async def institution(clients) -> str:
    """A primary hospital of the county, registered by the admin, with a global budget the stay will exceed."""
    code, admin = f"HJ{secrets.token_hex(5).upper()}", clients.auth("admin")
    await clients.call("PUT", f"{clients.adjudication}/v1/institutions/{code}", admin, json={
        "name": "石柱旅程卫生院", "admdvs": ADMDVS, "level": "primary", "annual_budget": "1000000.00"})
    await clients.call("PUT", f"{clients.adjudication}/v1/catalogue/{code}A", admin, json={
        "name": "住院床位费", "class": "A", "pric_uplmt_amt": None})
    budget = await eventually(lambda: clients.http.put(f"{clients.ledger}/v1/institutions/{code}/budget", headers=admin,
                                                       json={"year": YEAR, "annual_budget": BUDGET.to_yuan()}),
                              lambda response: response.status_code != 404)
    assert budget.status_code == 200, "the ledger knows the institution once its registry event arrives"
    return code


@pytest.fixture(scope="module")
async def alerts_topic(clients, institution) -> KeyWatch:
    watch = KeyWatch(clients.settings.kafka_bootstrap, clients.settings.topic("medfund.alerts.v1"),
                     f"institution_budget:{institution}")
    await watch.start()
    yield watch
    await watch.stop()


async def settlement_entry(clients: Clients, cursor: int, kind: str, fixmedins_code: str) -> dict | None:
    entries = await clients.journal_after(POOL_ID, cursor)
    return next((e for e in entries if e["kind"] == kind and e["memo"] == fixmedins_code), None)


def alert_is(state: str):
    return lambda event: event.type == ALERT_TYPE and event.data["state"] == state


async def budget_alerts(clients: Clients, state: str, fixmedins_code: str) -> list[dict]:
    return [a for a in await clients.alerts(state)
            if a["rule"] == "institution_budget" and a["subject_id"] == fixmedins_code]


@pytest.fixture(scope="module")
async def settlement(clients, household, paid, institution, alerts_topic, before) -> Settlement:
    """Step 4: the hospital admits the covered member, uploads the stay, discharges and settles it
    (2401 → 2301 → 2402 → 2304)."""
    payer = household[0]
    admitted = await clients.gateway("2401", institution, {"mdtrtinfo": {
        "psn_no": payer.psn_no, "insutype": "390", "mdtrt_cert_type": "02", "mdtrt_cert_no": payer.certno,
        "med_type": "21", "ipt_no": f"ZY{secrets.token_hex(4)}", "begntime": ADMITTED, "refl_flag": "0"},
        "diseinfo": [{"diag_code": "J18.900", "diag_name": "肺炎", "maindiag_flag": "1"}]}, inf_time=ADMITTED)
    assert admitted["infcode"] == 0, admitted["err_msg"]
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    uploaded = await clients.gateway("2301", institution, {"feedetail": [{
        "feedetl_sn": "1", "mdtrt_id": mdtrt_id, "psn_no": payer.psn_no, "med_type": "21",
        "fee_ocur_time": ADMITTED, "med_list_codg": f"{institution}A", "medins_list_codg": "CW001",
        "det_item_fee_sumamt": STAY_COST.to_yuan(), "cnt": "10", "pric": "100.00"}]}, inf_time=ADMITTED)
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    discharged = await clients.gateway("2402", institution, {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": payer.psn_no, "insutype": "390", "endtime": SETTLED, "dscg_way": "1"},
        "diseinfo": []}, inf_time=SETTLED)
    assert discharged["infcode"] == 0, discharged["err_msg"]
    settled = await clients.gateway("2304", institution, {"data": {
        "psn_no": payer.psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": payer.certno,
        "medfee_sumamt": STAY_COST.to_yuan(), "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "390",
        "acct_used_flag": "0", "mid_setl_flag": "0", "invono": "", "medins_setl_id": f"JS{secrets.token_hex(8)}"}},
        inf_time=SETTLED)
    answered_at = time.monotonic()
    assert settled["infcode"] == 0, settled["err_msg"]
    alert = await alerts_topic.first(alert_is("firing"))
    firing = await eventually(lambda: budget_alerts(clients, "firing", institution), bool)
    entry = await eventually(lambda: settlement_entry(clients, before.cursor, "settlement", institution),
                             lambda e: e is not None)
    return Settlement(settled["output"], answered_at, alert, firing, entry, await ledger_mark(clients, before.cursor))


@pytest.fixture(scope="module")
async def reversal(clients, household, institution, settlement, alerts_topic) -> Reversal:
    """Step 7: the hospital reverses the settlement (2305)."""
    info = settlement.answer["setlinfo"]
    answer = await clients.gateway("2305", institution, {"data": {
        "psn_no": household[0].psn_no, "mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}},
        inf_time=REVERSED)
    assert answer["infcode"] == 0, answer["err_msg"]
    entry = await eventually(lambda: settlement_entry(clients, settlement.after.cursor, "settlement_reversed",
                                                      institution), lambda e: e is not None)
    resolved = await alerts_topic.first(alert_is("resolved"))
    listed = await eventually(lambda: budget_alerts(clients, "resolved", institution), bool)
    return Reversal(answer["output"], resolved, listed, entry, await ledger_mark(clients, settlement.after.cursor))


def test_each_member_gets_a_person_number_and_the_premium_of_the_pack(household, pack):
    assert len({m.psn_no for m in household}) == 2 and all(m.psn_no for m in household)
    assert [m.premium_due for m in household] == [pack_premium(pack, m.brdy) for m in household]


async def test_the_premium_paid_in_full_in_the_window_covers_from_the_first_of_january(clients, household, paid):
    person = await clients.person(household[0].psn_no)
    assert person["enrollments"][-1]["status"] == "active"
    assert person["coverage"] == [{"insutype": "390", "year": YEAR, "from": "2026-01-01", "to": "2026-12-31",
                                   "status": "active"}]


async def test_a_partial_premium_leaves_the_member_uncovered(clients, household, paid):
    person = await clients.person(household[1].psn_no)
    assert (person["enrollments"][-1]["status"], person["coverage"]) == ("registered", [])


async def test_the_gateway_sees_the_same_cover_as_enrollment(clients, household, paid):
    payer, partial = household
    covered = await person_info(clients, payer)
    assert covered["infcode"] == 0, covered["err_msg"]
    assert covered["output"]["baseinfo"]["psn_no"] == payer.psn_no
    assert [(i["insutype"], i["psn_insu_stas"], str(i["psn_insu_date"]), i["insuplc_admdvs"])
            for i in covered["output"]["insuinfo"]] == [("390", "1", "2026-01-01", ADMDVS)]
    uncovered = await person_info(clients, partial)
    assert uncovered["infcode"] == -1 and "not insured" in uncovered["err_msg"]


async def test_the_uncovered_member_is_refused_admission_with_the_reason(clients, household, paid, institution):
    partial = household[1]
    refused = await clients.gateway("2401", institution, {"mdtrtinfo": {
        "psn_no": partial.psn_no, "insutype": "390", "mdtrt_cert_type": "02", "mdtrt_cert_no": partial.certno,
        "med_type": "21", "ipt_no": "ZY-REFUSED", "begntime": ADMITTED}, "diseinfo": []}, inf_time=ADMITTED)
    assert refused["infcode"] == -1
    assert partial.psn_no in refused["err_msg"] and "not insured" in refused["err_msg"]


def test_the_settlement_adds_up_and_pays_what_the_pack_says(settlement, pack):
    info = settlement.answer["setlinfo"]
    total, fund, account, cash = (yuan(info[n]) for n in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay",
                                                          "psn_cash_pay"))
    assert total == STAY_COST and total == fund + account + cash
    terms = pack.inpatient.terms(TIER, "in_county", "primary")
    assert yuan(info["hifp_pay"]) == (STAY_COST - terms.deductible).times(terms.ratio)
    assert [(d["fund_pay_type"], yuan(d["fund_payamt"])) for d in settlement.answer["setldetail"]] == \
        [("390100", fund)]


def test_the_pool_books_the_premiums_subsidy_the_catastrophic_premium_and_the_fund_payment(paid, settlement, before,
                                                                                          pack):
    """The covered member's cover made the pack's catastrophic premium due: 390100 pays it to 390200."""
    hifp_pay = yuan(settlement.answer["setlinfo"]["hifp_pay"])
    assert settlement.after.income - before.income == paid
    assert settlement.after.expenditure - before.expenditure == hifp_pay + pack.financing.catastrophic_per_person


def test_the_institution_is_owed_the_settlements_fund_payments(settlement, institution, before):
    fund = yuan(settlement.answer["setlinfo"]["fund_pay_sumamt"])
    assert settlement.after.payable - before.payable == fund
    assert settlement.entry is not None, "the settlement never reached the pool's journal"
    owed = [line for line in settlement.entry["lines"] if line["account"] == f"payable:{institution}"]
    assert [(yuan(line["credit"]), yuan(line["debit"])) for line in owed] == [(fund, Money.zero())]


def test_the_settlement_tips_the_budget_and_the_alert_reaches_api_and_topic(settlement, institution):
    assert settlement.alert is not None, "no institution_budget alert on the alerts topic"
    print(f"\n2304 answer -> institution_budget alert on the topic: "
          f"{(settlement.alert.at - settlement.answered_at) * 1000:.0f} ms")
    firing = settlement.alerts_api
    fund = yuan(settlement.answer["setlinfo"]["fund_pay_sumamt"])
    used = (fund.to_decimal() / BUDGET.to_decimal()).quantize(Decimal("0.0001"))
    assert [(a["severity"], a["measure"]) for a in firing] == [("red", str(used))]
    published = settlement.alert.event
    assert published.partitionkey == f"institution_budget:{institution}"
    assert (published.data["alert_id"], published.data["message"]) == (firing[0]["alert_id"], firing[0]["message"])


def test_a_reversal_takes_the_expenditure_back_with_a_mirror_entry(settlement, reversal, before, pack):
    assert yuan(reversal.answer["setlinfo"]["hifp_pay"]) == -yuan(settlement.answer["setlinfo"]["hifp_pay"])
    assert (reversal.after.expenditure, reversal.after.payable) == (
        before.expenditure + pack.financing.catastrophic_per_person, before.payable)
    assert reversal.entry is not None, "the reversal never reached the pool's journal"
    assert [(line["account"], line["debit"], line["credit"]) for line in reversal.entry["lines"]] == \
        [(line["account"], line["credit"], line["debit"]) for line in settlement.entry["lines"]]


def test_the_budget_alert_resolves_once_the_reversal_is_booked(reversal):
    assert reversal.resolved is not None, "no resolved institution_budget alert on the alerts topic"
    assert [a["alert_id"] for a in reversal.alerts_api] == [reversal.resolved.event.data["alert_id"]]
