"""Request bodies of the ledger API (amounts are exact yuan strings; floats are refused)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from medfund_shared.business_range import BusinessDate, BusinessPeriod, BusinessYear
from medfund_shared.money import YuanAmount
from medfund_shared.text_fields import FreeText, text_of_at_most

PERIOD = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PoolBudgetIn(_Body):
    budget_due: YuanAmount = Field(description="amount due for the year (应筹)")
    planned_expenditure: YuanAmount


class InstitutionBudgetIn(_Body):
    year: BusinessYear = Field(description="the budget applies to this year only")
    annual_budget: YuanAmount = Field(description="global budget of fund payments (总额控制), not negative")


class ClearingIn(_Body):
    period: BusinessPeriod = Field(pattern=PERIOD, description="YYYY-MM: clears what is payable up to its last day")


class TransferIn(_Body):
    transfer_id: str = Field(min_length=1, max_length=100)
    to_pool_id: str
    amount: YuanAmount
    effective_date: BusinessDate
    memo: FreeText = ""


class BroughtForwardIn(_Body):
    amount: YuanAmount = Field(description="the fund's balance (滚存结余) before the pool's year, not zero")
    voucher_no: FreeText = Field(default="", description="the closing voucher of the books it comes from")


class Levels(_Body):
    yellow: Decimal
    red: Decimal


class ThresholdsIn(_Body):
    rules: dict[str, Levels] = Field(min_length=1)


class AckIn(_Body):
    note: Annotated[text_of_at_most(2000), Field(min_length=1)]


Month = Annotated[str, StringConstraints(pattern=PERIOD)]


class PoolWhatIfIn(_Body):
    as_of: BusinessDate = Field(description="the period's last business date (the pool is read at the earlier of "
                                            "its end and the region's business clock)")
    expenditure_change: dict[Month, YuanAmount] = Field(
        max_length=1200, description="by month (YYYY-MM): what the pool would have paid more (negative: less)")
