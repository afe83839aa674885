"""Folding a batch gives what applying its events one by one gives: projections and coverage."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from medfund_ledger.domain import journal
from medfund_ledger.domain.coverage import CoverageChange, net_effect
from medfund_ledger.domain.projection import account_movements, month_movements
from medfund_shared.money import Money

POOLS = ["500240:390100:2026", "500240:390200:2026"]
KEYS = [("P1", "390", 2026), ("P2", "390", 2026), ("P1", "390", 2027)]

amounts = st.integers(min_value=-10**9, max_value=10**9).map(Money)
days = st.dates(min_value=date(2025, 10, 1), max_value=date(2026, 12, 31))
entries = st.one_of(
    st.builds(lambda n, on, pool, amount: journal.contribution_received(f"c{n}", on, pool, amount),
              st.integers(), days, st.sampled_from(POOLS), amounts),
    st.builds(lambda n, on, pool, amount: journal.settlement(f"s{n}", "settlement", on, "H1",
                                                             [(pool, "inpatient", amount)]),
              st.integers(), days, st.sampled_from(POOLS), amounts),
    st.builds(lambda n, on, amount: journal.clearing(f"k{n}", on, "H1", {POOLS[0]: amount}),
              st.integers(), days, amounts),
)


@given(st.lists(entries, max_size=30))
def test_a_batch_moves_balances_and_months_by_the_sum_of_its_entries(batch):
    one_by_one_accounts: dict = {}
    one_by_one_months: dict = {}
    for entry in batch:
        for key, amount in account_movements([entry]).items():
            one_by_one_accounts[key] = one_by_one_accounts.get(key, 0) + amount
        for key, (income, expenditure) in month_movements([entry]).items():
            before = one_by_one_months.get(key, (0, 0))
            one_by_one_months[key] = (before[0] + income, before[1] + expenditure)
    assert account_movements(batch) == one_by_one_accounts
    assert month_movements(batch) == one_by_one_months
    assert list(account_movements(batch)) == sorted(account_movements(batch))


def test_a_clearing_moves_no_monthly_income_or_expenditure():
    cleared = journal.clearing("k1", date(2026, 6, 30), "H1", {POOLS[0]: Money(500)})
    assert month_movements([cleared]) == {}
    assert account_movements([cleared]) == {(POOLS[0], "cash"): -500, (POOLS[0], "payable:H1"): 500}


changes = st.builds(CoverageChange, st.sampled_from(KEYS), st.booleans(),
                    st.one_of(st.none(), st.sampled_from(["500240", "500241"])))
tables = st.dictionaries(st.sampled_from(KEYS), st.tuples(st.sampled_from(["500240", "500241"]), st.booleans()))


def _one_by_one(table: dict, change: CoverageChange) -> None:
    """What the per-event handlers did: an activation upserts the row; other changes update an existing row."""
    if change.admdvs is not None:
        table[change.key] = (change.admdvs, change.active)
    elif change.key in table:
        table[change.key] = (table[change.key][0], change.active)


@given(tables, st.lists(changes, max_size=12))
def test_coverage_changes_folded_per_person_equal_their_application_in_order(table, batch):
    expected = dict(table)
    for change in batch:
        _one_by_one(expected, change)
    net = net_effect(batch)
    folded = dict(table)
    for key, row in net.upserts.items():
        folded[key] = row
    for key, active in net.updates.items():
        if key in folded:
            folded[key] = (folded[key][0], active)
    assert folded == expected
    assert not net.upserts.keys() & net.updates.keys()
