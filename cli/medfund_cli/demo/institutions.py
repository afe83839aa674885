"""The county's designated institutions at three levels and their global budgets (总额控制).

The adjudication service ships a demo registry; the demo uses its in-county entries when that
package is installed beside the CLI and otherwise the same list built in, and registers them with
budgets scaled to the scenario (so adjudication's registry and the ledger's budgets agree).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from medfund_cli.demo.fees import LEVEL_COST
from medfund_cli.demo.scenario import ADMDVS, Scenario
from medfund_shared.money import Money

SHIPPED_REGISTRY = ("medfund_adjudication.adapters.demo", "institutions.json")
BUILT_IN = (
    ("H50024000001", "石柱第一卫生院", "primary"),
    ("H50024000002", "石柱第二卫生院", "primary"),
    ("H50024000003", "石柱第一人民医院", "secondary"),
    ("H50024000004", "石柱第二人民医院", "secondary"),
    ("H50024000005", "石柱第一中心医院", "tertiary"),
    ("H50024000006", "石柱第二中心医院", "tertiary"),
)
LEVEL_SHARES = {"primary": Decimal("0.28"), "secondary": Decimal("0.32"), "tertiary": Decimal("0.40")}
"""Each level's share of the planned expenditure when the global budgets are handed out: about the
share of fund payments the simulated case mix brings each level (outpatient visits mostly primary,
admissions costlier the higher the level)."""


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    level: str
    annual_budget: Money
    fair_budget: Money
    """Its share of the planned expenditure; ``annual_budget`` is lower for the overspending one."""


def county_registry() -> list[tuple[str, str, str]]:
    """(code, name, level) of the county's institutions: the shipped demo registry, or the built-in copy."""
    package, name = SHIPPED_REGISTRY
    try:
        rows = json.loads((resources.files(package) / name).read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError):
        return list(BUILT_IN)
    return [(r["fixmedins_code"], r["name"], r["level"]) for r in rows if r["admdvs"] == ADMDVS] or list(BUILT_IN)


def with_budgets(scenario: Scenario, registry: list[tuple[str, str, str]]) -> list[Institution]:
    """Planned expenditure split by level, at least ``budget_floor_cases`` of the level's costliest ordinary
    admission; the last secondary hospital gets a budget too small for its load (a fraction of its
    share, never raised to the floor: the story takes it across its budget visit by visit)."""
    per_level = {level: sum(1 for _, _, lv in registry if lv == level) for level in LEVEL_SHARES}
    hot = hot_code(registry)
    result = []
    for code, name, level in registry:
        share = scenario.planned_expenditure.times(LEVEL_SHARES[level] / per_level[level])
        fair = max(share, Money.from_yuan(LEVEL_COST[level][1]).times(Decimal(scenario.budget_floor_cases)))
        budget = share.times(scenario.hot_budget_fraction) if code == hot else fair
        result.append(Institution(code, name, level, budget, fair))
    return result


def hot_code(registry: list[tuple[str, str, str]]) -> str:
    """The institution that overspends its global budget in the story."""
    return [code for code, _, level in registry if level == "secondary"][-1]


def raised_budget(spent: Money, scenario: Scenario) -> Money:
    """The operator's new budget: spending so far becomes ``raised_budget_measure`` of it (under yellow)."""
    return spent.times(1 / scenario.raised_budget_measure)
