"""The simulation result's fund picture (``pools``): each month's fund pay difference goes to the ledger's pool
of its fund and year; the ledger's answer is shown beside the replay's own totals. A fake ledger stands in for
the fund ledger's ``POST /v1/pools/{pool_id}/what-if``."""

from datetime import date

from medfund_adjudication.adapters.fund_ledger_client import LedgerUnavailable
from medfund_adjudication.adapters.simulation_repo import Period, SimulationRow
from medfund_adjudication.app.simulations import fund_picture
from medfund_shared.money import Money


class FakeLedger:
    def __init__(self, known: set[str], down: str | None = None) -> None:
        self.known, self.down, self.asked = known, down, []

    async def pool_what_if(self, pool_id: str, as_of: date, change: dict[str, Money]) -> dict | None:
        if self.down:
            raise LedgerUnavailable(self.down)
        self.asked.append((pool_id, as_of, change))
        if pool_id not in self.known:
            return None
        return {"income": "1000.00", "year_end_balance": {"actual": "400.00", "candidate": "380.00"},
                "reserve_months": {"actual": "4.00", "candidate": "3.80"}, "warnings": []}


YEAR_2026 = Period("500240", "390", 2026, None, None)


def row(result: dict, period: Period = YEAR_2026) -> SimulationRow:
    return SimulationRow("SM1", period, "{}", 0, "done", 3, 3, result, None)


RESULT = {"fund_by_month": [
    {"fund_pay_type": "390100", "month": "2026-02", "actual": "100.00", "candidate": "110.00", "difference": "10.00"},
    {"fund_pay_type": "390100", "month": "2026-03", "actual": "50.00", "candidate": "60.00", "difference": "10.00"},
    {"fund_pay_type": "390200", "month": "2026-03", "actual": "5.00", "candidate": "5.00", "difference": "0.00"},
]}


async def test_each_pool_is_asked_with_its_months_difference_and_shown_with_the_replays_totals():
    ledger = FakeLedger({"500240:390100:2026", "500240:390200:2026"})
    picture = await fund_picture(row(RESULT), ledger)
    assert ledger.asked[0] == ("500240:390100:2026", date(2026, 12, 31),
                               {"2026-02": Money.from_yuan("10.00"), "2026-03": Money.from_yuan("10.00")})
    assert picture["available"] and picture["as_of"] == "2026-12-31"
    pooled = picture["items"][0]
    assert (pooled["actual_fund_pay"], pooled["candidate_fund_pay"], pooled["difference"]) == ("150.00", "170.00",
                                                                                             "20.00")
    assert pooled["year_end_balance"] == {"actual": "400.00", "candidate": "380.00"}
    assert [i["pool_id"] for i in picture["items"]] == ["500240:390100:2026", "500240:390200:2026"]


async def test_a_fund_the_ledger_has_no_pool_for_is_left_out():
    picture = await fund_picture(row(RESULT), FakeLedger({"500240:390200:2026"}))
    assert [i["pool_id"] for i in picture["items"]] == ["500240:390200:2026"]


async def test_a_date_range_reads_the_pools_at_its_last_day():
    ledger = FakeLedger({"500240:390100:2026"})
    await fund_picture(row(RESULT, Period("500240", "390", None, date(2026, 1, 1), date(2026, 6, 30))), ledger)
    assert ledger.asked[0][1] == date(2026, 6, 30)


async def test_the_ledger_unreachable_leaves_the_result_without_the_fund_picture_and_says_why():
    picture = await fund_picture(row(RESULT), FakeLedger(set(), down="fund ledger unreachable at http://x: boom"))
    assert picture == {"available": False, "reason": "fund ledger unreachable at http://x: boom",
                       "as_of": "2026-12-31", "items": []}
