"""Region statistics: the scheme's pooled fund at the top, every pool of the region-year under ``pools``."""

from decimal import Decimal

from medfund_ledger.domain.statistics import PoolInputs, StatisticsInputs, statistics

POOLED = PoolInputs("500240:390100:2026", "390100", budget_due=13419160000, planned_expenditure=13419160000,
                    income=10121210000, expenditure=6251810000, payable=6251810000, cumulative_balance=3869400000,
                    reserve_months=Decimal("3.71"))
CATASTROPHIC = PoolInputs("500240:390200:2026", "390200", budget_due=None, planned_expenditure=None,
                          income=500000000, expenditure=0, payable=0, cumulative_balance=500000000,
                          reserve_months=None)
INPUTS = StatisticsInputs(pooled=POOLED, insured=3, eligible=470000, medfee_sumamt=6251810000,
                          inscp_scp_amt=6251810000, fund_pay_sumamt=6251810000, inpatient_settlements=6,
                          inpatient_fund_paid=5002680000, elapsed_fraction=Decimal("0.4959"),
                          pools=[POOLED, CATASTROPHIC])


def test_the_region_figures_stay_those_of_the_schemes_pooled_fund():
    figures = statistics(INPUTS)
    assert (figures["income"], figures["expenditure"], figures["collection_rate"], figures["spent_of_due"]) == (
        "101212100.00", "62518100.00", "0.7542", "0.4659")
    assert (figures["reserve_months"], figures["fund_pay_per_inpatient_settlement"]) == ("3.71", "8337800.00")
    assert figures["enrollment_rate"] == "0.0000"


def test_every_pool_of_the_region_year_has_its_own_figures():
    by_fund = {pool["fund_pay_type"]: pool for pool in statistics(INPUTS)["pools"]}
    assert list(by_fund) == ["390100", "390200"]
    assert by_fund["390100"] | {"pool_id": None} == {
        "pool_id": None, "fund_pay_type": "390100", "budget_due": "134191600.00",
        "planned_expenditure": "134191600.00", "income": "101212100.00", "collection_rate": "0.7542",
        "expenditure": "62518100.00", "balance": "38694000.00", "cumulative_balance": "38694000.00",
        "payable": "62518100.00", "reserve_months": "3.71", "spent_of_planned": "0.4659", "spent_of_due": "0.4659"}
    catastrophic = by_fund["390200"]
    assert (catastrophic["income"], catastrophic["balance"], catastrophic["budget_due"]) == (
        "5000000.00", "5000000.00", None)
    assert (catastrophic["collection_rate"], catastrophic["reserve_months"], catastrophic["spent_of_planned"]) == (
        None, None, None)
