"""Loads the ledger configuration shipped with the package (``config/ledger.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml

from medfund_ledger.domain.thresholds import Threshold, Thresholds


@dataclass(frozen=True)
class LedgerConfig:
    thresholds: Thresholds
    contribution_pools: dict[str, str]
    employee_account_pool: str
    on_behalf_payer_pools: dict[str, str]
    expense_kind_by_fund: dict[str, str]
    expense_kind_by_med_type: dict[str, str]
    inpatient_med_types: frozenset[str]
    journal_page_size: int
    evaluation_batch_size: int
    evaluation_poll_seconds: float
    evaluation_unready_after: int
    """Consecutive failed evaluations after which ``/readyz`` reports the ledger not ready."""
    business_timezone: timezone
    income_collected_up_front: frozenset[str]
    rules_not_applicable: dict[str, frozenset[str]]
    """fund_pay_type -> pool rules that say nothing about that fund."""
    """fund_pay_types whose year's income arrives before the year runs (the rest arrive monthly)."""

    def expense_kind(self, fund_pay_type: str, med_type: str) -> str:
        return self.expense_kind_by_fund.get(fund_pay_type) or self.expense_kind_by_med_type.get(med_type, "other")

    def contribution_pool(self, insutype: str) -> str:
        try:
            return self.contribution_pools[insutype]
        except KeyError:
            raise ValueError(f"no pool configured for insutype {insutype!r}") from None


@lru_cache(maxsize=1)
def load_config() -> LedgerConfig:
    raw = yaml.safe_load(resources.files("medfund_ledger.config").joinpath("ledger.yaml").read_text("utf-8"))
    rules = {name: Threshold(Decimal(r["yellow"]), Decimal(r["red"]), r["direction"])
             for name, r in raw["warnings"].items()}
    return LedgerConfig(
        thresholds=Thresholds(rules, {k: int(v) for k, v in raw["windows"].items()}),
        contribution_pools={str(k): str(v) for k, v in raw["contribution_pools"].items()},
        employee_account_pool=str(raw["employee_account_pool"]),
        on_behalf_payer_pools={str(k): str(v) for k, v in raw["on_behalf_payer_pools"].items()},
        expense_kind_by_fund={str(k): v for k, v in raw["expense_kind_by_fund"].items()},
        expense_kind_by_med_type={str(k): v for k, v in raw["expense_kind_by_med_type"].items()},
        inpatient_med_types=frozenset(str(m) for m in raw["inpatient_med_types"]),
        journal_page_size=int(raw["journal_page_size"]),
        evaluation_batch_size=int(raw["evaluation"]["batch_size"]),
        evaluation_poll_seconds=float(raw["evaluation"]["poll_seconds"]),
        evaluation_unready_after=int(raw["evaluation"]["unready_after_failures"]),
        business_timezone=timezone(timedelta(minutes=int(raw["business_utc_offset_minutes"]))),
        income_collected_up_front=frozenset(str(f) for f in raw["income_collected_up_front"]),
        rules_not_applicable={str(fund): frozenset(rules) for fund, rules in raw["rules_not_applicable"].items()},
    )
