"""The pooled fund's yearly income the healthy demo plans from: premiums and subsidy by the pack."""

from datetime import date

from medfund_cli.demo.population import Household, Person
from medfund_cli.demo.premiums import pooled_income
from medfund_cli.demo.scenario import YEAR, Plot, Scenario, county_pack
from medfund_shared.money import Money


def person(category: str, brdy: date = date(1980, 5, 1)) -> Person:
    return Person(certno="500240198005010011", psn_name="冉某", gend="1", brdy=brdy, category=category)


def test_income_is_each_persons_premium_paid_by_anyone_plus_the_subsidy():
    # 500240 pack 2026: tier 1 premium 140.00, tier 2 350.00, subsidy 420.00 a person;
    # dibao: the government pays the tier-1 premium on behalf (still pooled income)
    households = [Household("H1", "tier1", date(2025, 9, 1), [person("adult"), person("dibao")]),
                  Household("H2", "tier2", date(2025, 9, 1), [person("adult")])]
    assert pooled_income(county_pack(Scenario()), households, YEAR) == Money.from_yuan("1890.00")  # 560+560+770


def test_the_healthy_year_plans_from_that_income_and_the_overspending_story_from_the_amount_due():
    income = Money.from_yuan("1000.00")
    healthy = Scenario(scale=300, plot=Plot.HEALTHY, yearly_income=income)
    assert healthy.planned_expenditure == Money.from_yuan("800.00")
    overspending = Scenario(scale=300, yearly_income=income)
    assert overspending.planned_expenditure == overspending.amount_due.times(overspending.planned_expenditure_share)
