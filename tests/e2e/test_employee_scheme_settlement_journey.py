"""The employee scheme (310) in Zhenjiang (321100) through the four services' public APIs (issue 19).

An operator registers an employee under 45, one over 45 and a retiree; their employer declares four months
through the tax bureau; the months cover them; each is treated as an inpatient at a tertiary hospital of the
district and settles with the individual account (2401 → 2301 → 2402 → 2304, ``acct_used_flag`` "1"); one
settlement is reversed and gives the account its money back. The employer then declares May to August for
two of them only: the third lapses after three unpaid months, is refused admission, and is restored when the
employer pays the missed months back with the late fee. The ledger's pooled fund (310100), the account pool
(310200) and each person's statement then agree with sums computed here from the inputs.

Expected figures come from the pack's published numbers and benefit-calculation.md (E7) by hand, never from
the services. Pool figures are compared as changes from before the first declaration. The region's clock
(the latest month anyone in 321100 declared) decides when months are overdue; this journey moves it itself,
on a service set of its own (fresh databases and topics): the clock is region-wide over every year, so in the
shared stack it ran ahead of the employee scheme journey (2027) and the demo (2026) whenever this module ran
before them, and suspended their members.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from medfund_shared.events.types.enrollment import TOPIC as ENROLLMENT_TOPIC
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.policy.schema import PolicyPack

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, certno, eventually, heard_of, yuan  # noqa: E402

pytestmark = pytest.mark.e2e
ADMDVS, YEAR = "321100", 2028
POOLED_POOL, ACCOUNT_POOL = f"{ADMDVS}:310100:{YEAR}", f"{ADMDVS}:310200:{YEAR}"
TAX_OFFICE = "13211000000"
EMPLOYER = f"91321100{secrets.token_hex(5).upper()}"
ENROLLED_ON = date(2028, 1, 4)
MONTHS = ("2028-01", "2028-02", "2028-03", "2028-04")
LATER_MONTHS = ("2028-05", "2028-06", "2028-07", "2028-08")
MISSED = LATER_MONTHS[:3]
"""The over-45 employee's months the employer leaves out, then pays back late."""
BACK_PAID_ON = date(2028, 9, 20)
ADMITTED, DISCHARGED, SETTLED, REVERSED = ("2028-05-06 09:00:00", "2028-05-12 10:00:00", "2028-05-12 11:00:00",
                                           "2028-05-13 09:00:00")
LAPSED_VISIT = "2028-08-10 09:00:00"
SUSPENDED_SINCE = "2028-08-01"
"""The first day after the three unpaid months."""
STAY = (("A", Money.from_yuan("12000.00")), ("B", Money.from_yuan("2000.00")), ("C", Money.from_yuan("500.00")))
"""Worked example E7's stay: class A 12,000, class B 2,000, class C 500."""


@dataclass(frozen=True)
class Insured:
    """One person as registered, with what their employer declares for them each month."""

    role: str
    brdy: date
    gend: str
    retired: bool
    monthly_wage: Money | None = None
    monthly_pension: Money | None = None
    contribution_years: int = 0
    certno: str = ""
    psn_no: str = ""


PEOPLE = (
    Insured("under 45", date(1992, 5, 10), "1", False, monthly_wage=Money.from_yuan("8000.00"), contribution_years=8),
    Insured("over 45", date(1975, 3, 20), "2", False, monthly_wage=Money.from_yuan("10000.00"),
            contribution_years=26),
    Insured("retiree", date(1958, 8, 1), "1", True, monthly_pension=Money.from_yuan("5000.00"),
            contribution_years=35),
)


@dataclass(frozen=True)
class Month:
    """What the pack says one declared month of one person brings: to the pool and to the account."""

    pool: Money
    account: Money


@dataclass(frozen=True)
class PoolMark:
    income: Money
    expenditure: Money
    balance: Money


# --- the pack's published numbers, applied by hand -----------------------------------------------------------

def age_on(brdy: date, day: date) -> int:
    return day.year - brdy.year - ((day.month, day.day) < (brdy.month, brdy.day))


def month_of(pack: PolicyPack, person: Insured, period: str) -> Month:
    """Seed 002/003 as the pack gives them: 9% + 2% of the base (the own wage between 60% and 300% of the
    provincial average monthly wage); 4% of the base to the account under 45, 5% from 45; a retiree's account
    gets 6% of the pension, paid out of the pooled fund."""
    rules = pack.contributions.employee
    if person.retired:
        credit = person.monthly_pension.times(rules.retiree_account_credit_of_pension)
        return Month(-credit, credit)
    monthly_average = rules.provincial_average_annual_wage.times(Fraction(1, 12))
    floor, ceiling = (monthly_average.times(share) for share in (rules.base_floor, rules.base_ceiling))
    base = max(floor, min(person.monthly_wage, ceiling))
    first_day = date(int(period[:4]), int(period[5:]), 1)
    rate = [band.rate for band in rules.account_credit_by_age if age_on(person.brdy, first_day) >= band.from_age][-1]
    account = base.times(rate)
    return Month(base.times(rules.employer_rate) + base.times(rules.employee_rate) - account, account)


@dataclass(frozen=True)
class Expected:
    hifp_pay: Money
    acct_pay: Money
    psn_cash_pay: Money
    ratio: str


def stay_settlement(pack: PolicyPack, person: Insured, balance: Money) -> Expected:
    """benefit-calculation.md steps 1, 2 and 5 for the stay at a tertiary hospital in the person's county."""
    a, b, c = (amount for _, amount in STAY)
    pre = b.times(pack.itemisation.class_b_preselfpay)
    scope = a + b - pre
    terms = pack.inpatient.terms(None, "in_county", "tertiary")
    ratio = terms.ratio + (pack.inpatient.retiree_uplift if person.retired else 0)
    deductible = min(scope, terms.deductible)
    hifp = (scope - deductible).times(ratio)
    personal = a + b + c - hifp
    acct = min(balance, personal)
    return Expected(hifp, acct, personal - acct, f"{ratio:.2f}")


# --- the clients' steps ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clients(own_clients: Clients) -> Clients:
    """On a service set of its own (see the module's docstring)."""
    return own_clients


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    return PackSet.load().in_force(ADMDVS, "310", date(YEAR, 1, 1))


async def pool_mark(clients: Clients, pool_id: str) -> PoolMark:
    pool = await clients.pool(pool_id)
    if pool is None:
        return PoolMark(Money.zero(), Money.zero(), Money.zero())
    return PoolMark(yuan(pool["income"]), yuan(pool["expenditure"]), yuan(pool["balance"]))


@pytest.fixture(scope="module")
async def before(clients) -> dict[str, PoolMark]:
    """The two pools before this journey's first declaration."""
    return {pool_id: await pool_mark(clients, pool_id) for pool_id in (POOLED_POOL, ACCOUNT_POOL)}


def scheme_fields(person: Insured) -> dict:
    """What a 310 registration says of the member: their employer, or retired with the years and pension."""
    if person.retired:
        return {"retired": True, "contribution_years": person.contribution_years,
                "monthly_pension": person.monthly_pension.to_yuan()}
    return {"employer_code": EMPLOYER, "contribution_years": person.contribution_years}


@pytest.fixture(scope="module")
async def people(own_services, clients, before) -> list[Insured]:
    """Step 1: the operator registers the three under the employee scheme, with their employer; billing, which the
    employer declares them to next, has taken the registrations in."""
    registered = []
    for person in PEOPLE:
        number = certno(ADMDVS, person.brdy, person.gend == "1")
        answer = await clients.call("POST", f"{clients.enrollment}/v1/enrollments", clients.auth("operator"), 201,
                                    json={"admdvs": ADMDVS, "insutype": "310", "year": YEAR,
                                          "enrolled_on": ENROLLED_ON.isoformat(), "members": [{
                                              "certno": number, "psn_name": f"职工{person.role}", "gend": person.gend,
                                              "brdy": person.brdy.isoformat(), **scheme_fields(person)}]})
        registered.append(replace(person, certno=number, psn_no=answer["members"][0]["psn_no"]))
    await heard_of(clients, own_services.databases, "enrollment", "billing", ENROLLMENT_TOPIC)
    return registered


def declaration_line(person: Insured) -> dict:
    """A retiree's line carries no pension: billing takes the one registered."""
    line = {"certno": person.certno, "psn_no": person.psn_no, "psn_name": f"职工{person.role}",
            "brdy": person.brdy.isoformat()}
    if person.retired:
        return {**line, "retired": True}
    return {**line, "prior_year_average_monthly_wage": person.monthly_wage.to_yuan()}


def due_day(pack: PolicyPack, period: str) -> date:
    """A month is due by the pack's day of the month after it."""
    year, month = int(period[:4]), int(period[5:])
    return date(year + month // 12, month % 12 + 1, pack.coverage.employee.declaration_due_day)


async def declare(clients: Clients, period: str, people: list[Insured], declared_on: date) -> dict:
    """The employer's month as the tax bureau forwards it, on the day it was declared."""
    return await clients.call("POST", f"{clients.billing}/v1/employers/{EMPLOYER}/declarations",
                              clients.auth("tax", tax_office_code=TAX_OFFICE), 201,
                              json={"period": period, "admdvs": ADMDVS, "declared_on": declared_on.isoformat(),
                                    "employees": [declaration_line(p) for p in people]})


def late_fee(pack: PolicyPack, person: Insured, period: str, paid_on: date) -> Money:
    """滞纳金: the daily rate of the month's contribution (employer + employee) for each day after the due day."""
    days = max(0, (paid_on - due_day(pack, period)).days)
    contribution = month_of(pack, person, period)
    return (contribution.pool + contribution.account).times(pack.coverage.employee.late_fee_daily_rate * days)


async def person_info(clients: Clients, person: Insured, hospital: str, on: str = ADMITTED) -> dict:
    """1101 from the hospital's card reader."""
    return await clients.gateway("1101", hospital, {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno, "psn_cert_type": "01", "certno": person.certno,
        "psn_name": ""}}, inf_time=on, admdvs=ADMDVS)


def account_balance(answer: dict) -> Money | None:
    if answer["infcode"] != 0:
        return None
    balances = [i["balc"] for i in answer["output"]["insuinfo"] if i["insutype"] == "310"]
    return yuan(balances[0]) if balances and balances[0] is not None else None


@pytest.fixture(scope="module")
async def hospital(clients) -> str:
    """A tertiary hospital of the district and the three catalogue classes of the stay, registered by the admin."""
    code, admin = f"HE{secrets.token_hex(5).upper()}", clients.auth("admin")
    await clients.call("PUT", f"{clients.adjudication}/v1/institutions/{code}", admin, json={
        "name": "镇江旅程医院", "admdvs": ADMDVS, "level": "tertiary", "annual_budget": "50000000.00"})
    for cls, _ in STAY:
        await clients.call("PUT", f"{clients.adjudication}/v1/catalogue/{code}{cls}", admin, json={
            "name": f"{cls}类项目", "class": cls, "pric_uplmt_amt": None})
    return code


@pytest.fixture(scope="module")
async def declared(clients, pack, people, hospital) -> dict[str, Money]:
    """Step 2: four months declared for the three; each person's account balance the pack says they bring, once
    the gateway shows it."""
    for period in MONTHS:
        await declare(clients, period, people, due_day(pack, period) - timedelta(days=5))
    balances = {p.psn_no: sum((month_of(pack, p, period).account for period in MONTHS), Money.zero())
                for p in people}
    for person in people:
        answer = await eventually(lambda person=person: person_info(clients, person, hospital),
                                  lambda answer, person=person: account_balance(answer) == balances[person.psn_no])
        assert account_balance(answer) == balances[person.psn_no], f"{person.role}: {answer}"
    return balances


async def inpatient_stay(clients: Clients, hospital: str, person: Insured) -> dict:
    """2401 → 2301 → 2402 → 2304 with the account, as the hospital's HIS sends them; the 2304 answer."""
    admitted = await clients.gateway("2401", hospital, {"mdtrtinfo": {
        "psn_no": person.psn_no, "insutype": "310", "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno,
        "med_type": "21", "ipt_no": f"ZY{secrets.token_hex(4)}", "begntime": ADMITTED, "refl_flag": "0"},
        "diseinfo": [{"diag_code": "I21.900", "diag_name": "急性心肌梗死", "maindiag_flag": "1"}]},
        inf_time=ADMITTED, admdvs=ADMDVS)
    assert admitted["infcode"] == 0, admitted["err_msg"]
    mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
    uploaded = await clients.gateway("2301", hospital, {"feedetail": [{
        "feedetl_sn": str(n), "mdtrt_id": mdtrt_id, "psn_no": person.psn_no, "med_type": "21",
        "fee_ocur_time": ADMITTED, "med_list_codg": f"{hospital}{cls}", "medins_list_codg": f"L{cls}",
        "det_item_fee_sumamt": amount.to_yuan(), "cnt": "1", "pric": amount.to_yuan()}
        for n, (cls, amount) in enumerate(STAY, 1)]}, inf_time=ADMITTED, admdvs=ADMDVS)
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    discharged = await clients.gateway("2402", hospital, {"dscginfo": {
        "mdtrt_id": mdtrt_id, "psn_no": person.psn_no, "insutype": "310", "endtime": DISCHARGED, "dscg_way": "1"}},
        inf_time=DISCHARGED, admdvs=ADMDVS)
    assert discharged["infcode"] == 0, discharged["err_msg"]
    total = sum((amount for _, amount in STAY), Money.zero())
    settled = await clients.gateway("2304", hospital, {"data": {
        "psn_no": person.psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno,
        "medfee_sumamt": total.to_yuan(), "psn_setlway": "01", "mdtrt_id": mdtrt_id, "insutype": "310",
        "acct_used_flag": "1", "mid_setl_flag": "0", "invono": "", "medins_setl_id": f"JS{secrets.token_hex(8)}"}},
        inf_time=SETTLED, admdvs=ADMDVS)
    assert settled["infcode"] == 0, settled["err_msg"]
    return settled["output"]


@pytest.fixture(scope="module")
async def stays(clients, hospital, people, declared) -> dict[str, dict]:
    """Step 3: each of the three is treated as an inpatient and settles with the account."""
    return {p.role: await inpatient_stay(clients, hospital, p) for p in people}


@pytest.fixture(scope="module")
async def reversal(clients, hospital, people, stays) -> dict:
    """Step 4: the hospital reverses the under-45 employee's settlement (2305)."""
    young, info = people[0], stays["under 45"]["setlinfo"]
    answer = await clients.gateway("2305", hospital, {"data": {
        "psn_no": young.psn_no, "mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"]}},
        inf_time=REVERSED, admdvs=ADMDVS)
    assert answer["infcode"] == 0, answer["err_msg"]
    return answer["output"]


async def admission(clients: Clients, hospital: str, person: Insured, begntime: str) -> dict:
    return await clients.gateway("2401", hospital, {"mdtrtinfo": {
        "psn_no": person.psn_no, "insutype": "310", "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno,
        "med_type": "21", "ipt_no": f"ZY{secrets.token_hex(4)}", "begntime": begntime, "refl_flag": "0"},
        "diseinfo": [{"diag_code": "I10.x00", "diag_name": "高血压", "maindiag_flag": "1"}]},
        inf_time=begntime, admdvs=ADMDVS)


def status(answer: dict) -> str | None:
    return answer["output"]["insuinfo"][0]["psn_insu_stas"] if answer["infcode"] == 0 else None


@dataclass(frozen=True)
class Lapse:
    status: str | None
    """1101's cover status of the over-45 employee on the day of the lapsed visit."""
    refused: dict
    """2401 for that day, while the months are unpaid."""


@pytest.fixture(scope="module")
async def lapse(clients, pack, hospital, people, reversal) -> Lapse:
    """Step 5: the employer declares May to August for the under-45 employee and the retiree only, which moves
    the region's clock to August; the over-45 employee's May, June and July are three unpaid months."""
    young, older, retiree = people
    for period in LATER_MONTHS:
        await declare(clients, period, [young, retiree], due_day(pack, period) - timedelta(days=5))
    answer = await eventually(lambda: person_info(clients, older, hospital, on=LAPSED_VISIT),
                              lambda a: status(a) == "2")
    return Lapse(status(answer), await admission(clients, hospital, older, LAPSED_VISIT))


@dataclass(frozen=True)
class BackPayment:
    status: str | None
    admitted: dict


@pytest.fixture(scope="module")
async def back_payment(clients, pack, hospital, people, lapse) -> BackPayment:
    """Step 6: the employer pays the three months back, late, with the late fee; the cover comes back."""
    older = people[1]
    for period in MISSED:
        await declare(clients, period, [older], BACK_PAID_ON)
    answer = await eventually(lambda: person_info(clients, older, hospital, on=LAPSED_VISIT),
                              lambda a: status(a) == "1")
    return BackPayment(status(answer), await admission(clients, hospital, older, LAPSED_VISIT))


def declared_months(person: Insured) -> tuple[str, ...]:
    return MONTHS + (MISSED if person.role == "over 45" else LATER_MONTHS)


async def statement(clients: Clients, person: Insured) -> dict:
    return await clients.call("GET", f"{clients.ledger}/v1/accounts/{person.psn_no}", clients.auth("operator"))


@pytest.fixture(scope="module")
async def booked(clients, pack, people, declared, stays, reversal, back_payment) -> dict:
    """The ledger once every statement shows the journey's last movement."""
    for person in people:
        movements = len(declared_months(person)) + (2 if person.role == "under 45" else 1)
        await eventually(lambda person=person: statement(clients, person),
                         lambda s, n=movements: len(s["entries"]) >= n)
    return {p.psn_no: await statement(clients, p) for p in people}


# --- the checks --------------------------------------------------------------------------------------------

def test_the_declared_months_split_between_the_pool_and_the_account_as_the_pack_says(pack, people, declared):
    young, older, retiree = people
    assert declared[young.psn_no] == Money.from_yuan("1280.00")      # 4% of 8,000 × 4
    assert declared[older.psn_no] == Money.from_yuan("2000.00")      # 5% of 10,000 × 4
    assert declared[retiree.psn_no] == Money.from_yuan("1200.00")    # 6% of 5,000 × 4: E7's account


@pytest.mark.parametrize("role", [p.role for p in PEOPLE])
def test_the_stay_settles_to_the_fen_with_the_account_paying_first(pack, people, declared, stays, role):
    person = next(p for p in people if p.role == role)
    expected = stay_settlement(pack, person, declared[person.psn_no])
    info = stays[role]["setlinfo"]
    assert (yuan(info["hifp_pay"]), yuan(info["acct_pay"]), yuan(info["psn_cash_pay"]),
            str(info["pool_prop_selfpay"])) == (expected.hifp_pay, expected.acct_pay, expected.psn_cash_pay,
                                                 expected.ratio)
    assert yuan(info["balc"]) == declared[person.psn_no] - expected.acct_pay
    assert yuan(info["medfee_sumamt"]) == yuan(info["fund_pay_sumamt"]) + yuan(info["acct_pay"]) + \
        yuan(info["psn_cash_pay"])
    assert [(row["fund_pay_type"], yuan(row["fund_payamt"])) for row in stays[role]["setldetail"]] == [
        ("310100", expected.hifp_pay), ("310200", expected.acct_pay)]


def test_the_retiree_settles_exactly_as_worked_example_e7(stays):
    info = stays["retiree"]["setlinfo"]
    assert {n: yuan(info[n]).to_yuan() for n in ("fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt",
                                                  "act_pay_dedc", "hifp_pay", "acct_pay", "psn_cash_pay", "balc")} == {
        "fulamt_ownpay_amt": "500.00", "preselfpay_amt": "300.00", "inscp_scp_amt": "13700.00",
        "act_pay_dedc": "900.00", "hifp_pay": "11392.00", "acct_pay": "1200.00", "psn_cash_pay": "1908.00",
        "balc": "0.00"}


async def test_the_reversal_gives_the_account_its_money_back(clients, hospital, people, declared, stays, reversal):
    young = people[0]
    assert yuan(reversal["setlinfo"]["acct_pay"]) == -yuan(stays["under 45"]["setlinfo"]["acct_pay"])
    answer = await person_info(clients, young, hospital, on=REVERSED)
    assert account_balance(answer) == declared[young.psn_no]


def test_each_statement_lists_the_credits_the_payment_and_the_restoration(pack, people, stays, booked):
    for person in people:
        account = booked[person.psn_no]
        paid = yuan(stays[person.role]["setlinfo"]["acct_pay"])
        credit = "account_credited" if person.retired else "employee_contribution"
        expected = [(credit, month_of(pack, person, period).account) for period in declared_months(person)]
        expected.append(("settlement", -paid))
        if person.role == "under 45":
            expected.append(("settlement_reversed", paid))
        listed = [(e["kind"], yuan(e["amount"])) for e in account["entries"]]
        assert sorted(listed) == sorted(expected), person.role
        assert yuan(account["balance"]) == sum((amount for _, amount in expected), Money.zero())
        dates = [e["effective_date"] for e in account["entries"]]
        assert dates == sorted(dates)
        assert yuan(account["entries"][-1]["balance_after"]) == yuan(account["balance"])


def test_three_unpaid_months_suspend_the_cover_and_admission_is_refused(lapse):
    assert lapse.status == "2"
    assert lapse.refused["infcode"] == -1 and f"suspended since {SUSPENDED_SINCE}" in lapse.refused["err_msg"]


def test_paying_the_months_back_restores_the_cover(back_payment):
    assert back_payment.status == "1"
    assert back_payment.admitted["infcode"] == 0, back_payment.admitted["err_msg"]


async def test_the_pools_move_by_the_sums_of_the_inputs(clients, pack, people, stays, reversal, booked, before):
    in_service = [p for p in people if not p.retired]
    retiree = next(p for p in people if p.retired)
    pooled_income = sum((month_of(pack, p, m).pool for p in in_service for m in declared_months(p)), Money.zero())
    late_fees = sum((late_fee(pack, people[1], m, BACK_PAID_ON) for m in MISSED), Money.zero())
    retiree_credits = sum((month_of(pack, retiree, m).account for m in declared_months(retiree)), Money.zero())
    settled = [p for p in people if p.role != "under 45"]
    pooled_paid = sum((yuan(stays[p.role]["setlinfo"]["hifp_pay"]) for p in settled), Money.zero())
    pooled, accounts = await pool_mark(clients, POOLED_POOL), await pool_mark(clients, ACCOUNT_POOL)
    was_pooled, was_accounts = before[POOLED_POOL], before[ACCOUNT_POOL]
    assert late_fees == Money.from_yuan("110.00")  # 1,100.00 × 0.05% × (97 + 67 + 36) days
    assert pooled.income - was_pooled.income == pooled_income + late_fees
    assert pooled.expenditure - was_pooled.expenditure == pooled_paid + retiree_credits
    account_credits = sum((month_of(pack, p, m).account for p in people for m in declared_months(p)), Money.zero())
    account_paid = sum((yuan(stays[p.role]["setlinfo"]["acct_pay"]) for p in settled), Money.zero())
    assert accounts.income - was_accounts.income == account_credits
    assert accounts.expenditure - was_accounts.expenditure == account_paid
    statements = sum((yuan(booked[p.psn_no]["balance"]) for p in people), Money.zero())
    assert accounts.balance - was_accounts.balance == statements == account_credits - account_paid


async def test_no_service_parked_a_dead_letter(clients, booked):
    assert await clients.dead_letters() == {"enrollment": [], "billing": [], "adjudication": [], "ledger": []}
