"""Properties every settlement and every year of settlements keeps, on generated visits under all four packs."""

from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medfund_adjudication.domain.settlement import (
    Accumulators,
    FeeItem,
    Institution,
    Person,
    SettlementRefused,
    Visit,
    reverse,
    settle,
)
from medfund_adjudication.domain.settlement.catastrophic import progressive_value
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet

PACKS = PackSet.load()
PACK_DATES = {"211302": date(2025, 1, 1), "330326": date(2025, 1, 1), "500240": date(2026, 1, 1),
              "321100": date(2025, 1, 1)}
SCHEMES = {"211302": "390", "330326": "390", "500240": "390", "321100": "310"}
OTHER_COUNTY_SAME_CITY = {"211302": "211303", "330326": "330302", "500240": "500241", "321100": "321102"}
CODES = ["A", "B", "C", "B-CEILING-90", "NOT-IN-CATALOGUE"]
DISEASES = ["C34.1", "N18.5", "F84.0", "J18.9", "A16.2", "K35"]
ALL_ONE_SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEQUENCE_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def fee_items(draw):
    count = draw(st.integers(1, 5))
    items = []
    for n in range(count):
        cnt = Decimal(draw(st.integers(1, 10)))
        unit_fen = draw(st.one_of(st.integers(0, 20_000), st.integers(0, 30_000_000)))
        pric = Decimal(unit_fen) / 100
        items.append(FeeItem(str(n + 1), draw(st.sampled_from(CODES)), cnt, pric, Money(unit_fen * int(cnt))))
    return tuple(items)


@st.composite
def people(draw, admdvs):
    pack = PACKS.in_force(admdvs, SCHEMES[admdvs], PACK_DATES[admdvs])
    born = draw(st.dates(date(1930, 1, 1), date(2024, 12, 31)))
    category = draw(st.sampled_from(["adult", "dibao", "tekun"]))
    tier = draw(st.sampled_from(pack.tiers)) if pack.tiers else None
    balance = Money(draw(st.integers(0, 2_000_000)))
    return Person(admdvs, SCHEMES[admdvs], born, category, tier, draw(st.booleans()), balance)


@st.composite
def visits(draw, person):
    admdvs = person.admdvs
    where = draw(st.sampled_from([admdvs, OTHER_COUNTY_SAME_CITY[admdvs], "110101"]))
    level = draw(st.sampled_from(["primary", "secondary", "tertiary"]))
    day = PACK_DATES[admdvs] + timedelta(days=draw(st.integers(0, 364)))
    return Visit(person, Institution("H" + where, where, level), draw(st.sampled_from(["11", "14", "21", "52"])),
                 day, draw(fee_items()), draw(st.booleans()), draw(st.booleans()),
                 tuple(draw(st.lists(st.sampled_from(DISEASES), max_size=2))))


@st.composite
def a_year_of_visits(draw):
    person = draw(people(draw(st.sampled_from(sorted(SCHEMES)))))
    return person, draw(st.lists(visits(person), min_size=1, max_size=10))


def _settle_year(catalogue, person, year_visits):
    pack = PACKS.in_force(person.admdvs, person.insutype, PACK_DATES[person.admdvs])
    ytd, results = Accumulators(), []
    for v in year_visits:
        try:
            result = settle(v, pack, catalogue, ytd)
        except SettlementRefused:
            continue
        results.append(result)
        ytd = result.accumulators_after
    return pack, ytd, results


def _money_fields(record):
    return {f.name: getattr(record, f.name) for f in fields(record) if isinstance(getattr(record, f.name), Money)}


def _check_one(result):
    assert result.medfee_sumamt == result.fund_pay_sumamt + result.acct_pay + result.psn_cash_pay
    assert result.fund_pay_sumamt == result.hifp_pay + result.hifmi_pay + result.maf_pay
    assert result.psn_part_amt == result.medfee_sumamt - result.fund_pay_sumamt
    assert all(amount.fen >= 0 for amount in _money_fields(result).values())
    assert Decimal(0) <= result.pool_prop_selfpay <= Decimal(1)
    assert sum(row.fund_payamt.fen for row in result.setldetail) == result.fund_pay_sumamt.fen + result.acct_pay.fen


@given(year=a_year_of_visits())
@ALL_ONE_SETTINGS
def test_every_settlement_balances_to_the_fen_and_nothing_is_negative(catalogue, year):
    _, _, results = _settle_year(catalogue, *year)
    for result in results:
        _check_one(result)


@given(year=a_year_of_visits())
@SEQUENCE_SETTINGS
def test_annual_caps_and_ceilings_are_never_exceeded_over_a_year(catalogue, year):
    person, _ = year
    pack, ytd, results = _settle_year(catalogue, *year)
    cap = pack.inpatient.payment_cap(person.tier if pack.tiers else None)
    if cap is not None:
        assert ytd.inpatient_paid <= cap
    if pack.inpatient.annual_cost_ceiling is not None:
        inpatient = [r for r in results if r.med_type in ("21", "14")]
        assert sum(r.setldetail[0].inscp_scp_amt.fen for r in inpatient) <= pack.inpatient.annual_cost_ceiling.fen
    if pack.outpatient is not None:
        rules = pack.outpatient
        for limit, total in [(rules.annual_payment_cap, ytd.outpatient_paid),
                             (rules.annual_eligible_max, ytd.outpatient_eligible),
                             (rules.annual_deductible_cap, ytd.outpatient_deductible)]:
            assert limit is None or total <= limit
    if pack.assistance is not None and pack.assistance.annual_cap is not None:
        assert ytd.assistance_paid <= pack.assistance.annual_cap
    if pack.catastrophic is not None and pack.catastrophic.annual_cap is not None:
        assert ytd.catastrophic_paid <= pack.catastrophic.annual_cap


@given(year=a_year_of_visits())
@SEQUENCE_SETTINGS
def test_catastrophic_payments_add_up_to_the_value_of_the_final_accumulator(catalogue, year):
    pack, ytd, results = _settle_year(catalogue, *year)
    if pack.catastrophic is None:
        assert all(r.hifmi_pay == Money(0) for r in results)
        return
    basis = ytd.catastrophic_burden if pack.catastrophic.basis == "compliant_selfpay" else ytd.inpatient_scope_cost
    assert sum(r.hifmi_pay.fen for r in results) == progressive_value(basis, pack.catastrophic).fen
    assert ytd.catastrophic_paid == progressive_value(basis, pack.catastrophic)


@given(year=a_year_of_visits())
@SEQUENCE_SETTINGS
def test_reversing_every_settlement_restores_the_accumulators_exactly(catalogue, year):
    _, ytd, results = _settle_year(catalogue, *year)
    for original in reversed(results):
        reversal = reverse(original, ytd)
        assert {k: -v for k, v in _money_fields(original).items() if k != "balc"} == {
            k: v for k, v in _money_fields(reversal).items() if k != "balc"}
        ytd = reversal.accumulators_after
    assert ytd == Accumulators()


@given(year=a_year_of_visits(), pick=st.integers(0, 100))
@SEQUENCE_SETTINGS
def test_reversing_one_settlement_subtracts_exactly_its_deltas(catalogue, year, pick):
    _, ytd, results = _settle_year(catalogue, *year)
    if not results:
        return
    original = results[pick % len(results)]
    assert reverse(original, ytd).accumulators_after == ytd.minus(original.accumulator_delta)


def _unexplained(result):
    return replace(result, setl_proc_info="",
                   setldetail=tuple(replace(row, setl_proc_info="") for row in result.setldetail))


@given(year=a_year_of_visits())
@SEQUENCE_SETTINGS
def test_a_settlement_without_its_explanation_has_exactly_the_same_amounts(catalogue, year):
    """``explain=False`` (the simulation's replay) changes nothing but the texts, which it leaves empty."""
    person, year_visits = year
    pack = PACKS.in_force(person.admdvs, person.insutype, PACK_DATES[person.admdvs])
    ytd = Accumulators()
    for v in year_visits:
        try:
            explained = settle(v, pack, catalogue, ytd)
        except SettlementRefused as refused:
            try:
                settle(v, pack, catalogue, ytd, explain=False)
            except SettlementRefused as same:
                assert (same.code, str(same)) == (refused.code, str(refused))
                continue
            raise AssertionError("refused only when explained") from refused
        bare = settle(v, pack, catalogue, ytd, explain=False)
        assert explained.setl_proc_info and bare.setl_proc_info == ""
        assert bare == _unexplained(explained)
        ytd = explained.accumulators_after
