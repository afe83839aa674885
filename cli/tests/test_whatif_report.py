"""``medfund whatif``'s HTML report shows the fund picture (``result.pools``) or why it is missing."""

from medfund_cli.whatif_report import render


def result(pools: dict | None) -> dict:
    empty = {"fund": [], "month": [], "institution_level": [], "area": [], "person_category": [], "age_band": []}
    return {**empty, "pack_id": "P", "settlements": 1, "reversed": 0, "refused": {"count": 0}, "people": 1,
            "out_of_pocket": {"deciles": [], "rises": {"more_than": "0.00", "count": 0, "people": []},
                              "newly_catastrophic": {"count": 0}},
            **({} if pools is None else {"pools": pools})}


POOL = {"pool_id": "500240:390100:2026", "actual_fund_pay": "1000.00", "candidate_fund_pay": "1100.00",
        "difference": "100.00", "year_end_balance": {"actual": "5000.00", "candidate": "4900.00"},
        "reserve_months": {"actual": "6.10", "candidate": "5.92"},
        "warnings": [{"rule": "reserve_months", "measure": "5.92", "threshold": "6", "level": "yellow"}]}


def test_each_pool_with_its_balance_reserve_and_the_rules_that_would_fire():
    html = render("t", result({"available": True, "reason": None, "as_of": "2026-12-31", "items": [POOL]}))
    assert "The funds at 2026-12-31" in html
    assert "<td>500240:390100:2026</td><td>1000.00</td><td>1100.00</td><td>100.00</td><td>5000.00</td>" in html
    assert "<td>6.10</td><td>5.92</td><td>reserve_months yellow (5.92)</td>" in html


def test_the_ledger_unreachable_is_said():
    html = render("t", result({"available": False, "reason": "fund ledger unreachable", "as_of": "2026-12-31",
                               "items": []}))
    assert "Not available: fund ledger unreachable" in html


def test_an_older_result_without_the_fund_picture_renders_as_before():
    assert "The funds" not in render("t", result(None))
