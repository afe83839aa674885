"""Patients go where the global budget has room; a case that could cross the yellow line goes elsewhere or nowhere."""

from decimal import Decimal

from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.routing import Router
from medfund_cli.demo.tally import Tally
from medfund_shared.money import Money


def institution(code: str, level: str, budget: int) -> Institution:
    return Institution(code, code, level, Money.from_yuan(budget), Money.from_yuan(budget))


A, B, C = institution("A", "tertiary", 10_000), institution("B", "tertiary", 10_000), institution("C", "primary", 5_000)


def router(paid: dict[str, int]) -> Router:
    tally = Tally(by_institution={code: Money.from_yuan(amount) for code, amount in paid.items()})
    return Router([A, B, C], tally, Decimal("0.80"))


def test_the_institution_with_most_room_gets_the_case():
    assert router({"A": 5_000, "B": 2_000}).choose(["tertiary"], Money.from_yuan(1_000)) is B


def test_a_case_whose_cost_could_cross_the_line_is_placed_nowhere():
    steering = router({"A": 5_000, "B": 5_000})
    assert steering.choose(["tertiary"], Money.from_yuan(3_000)) is A
    assert steering.choose(["tertiary"], Money.from_yuan(3_001)) is None


def test_cases_in_flight_count_at_their_cost_until_they_finish():
    steering = router({})
    steering.start(A, Money.from_yuan(7_000))
    assert steering.choose(["tertiary"], Money.from_yuan(7_000)) is B
    steering.start(B, Money.from_yuan(7_000))
    assert steering.choose(["tertiary"], Money.from_yuan(7_000)) is None
    steering.finish(A, Money.from_yuan(7_000))
    assert steering.choose(["tertiary"], Money.from_yuan(7_000)) is A


def test_a_raised_budget_opens_room():
    steering = router({"C": 4_000})
    assert steering.choose(["primary"], Money.from_yuan(100)) is None
    steering.raise_budget("C", Money.from_yuan(8_000))
    assert steering.choose(["primary"], Money.from_yuan(100)) is C
