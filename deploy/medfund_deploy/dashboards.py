"""The Grafana dashboards of ``deploy/grafana/dashboards`` as data: their panels' PromQL expressions and the
metric names those expressions select (for the checks that every name is one the services expose)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import promql_parser

from medfund_deploy.profiles import REPO_ROOT

GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
DASHBOARDS_DIR = GRAFANA_DIR / "dashboards"


def dashboards() -> dict[Path, dict]:
    return {path: json.loads(path.read_text(encoding="utf-8")) for path in sorted(DASHBOARDS_DIR.glob("*.json"))}


def panels(dashboard: dict) -> Iterator[dict]:
    """Every panel, those inside rows included; rows themselves are not panels that query."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def expressions(dashboard: dict) -> Iterator[str]:
    """Every PromQL expression: the panels' targets and the template variables' queries."""
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            yield target["expr"]
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if isinstance(query, dict) and query.get("query", "").startswith("label_values("):
            yield _label_values_selector(query["query"])


def _label_values_selector(query: str) -> str:
    """``label_values(metric{…}, label)`` -> ``metric{…}`` (a Grafana function, not PromQL)."""
    return query.removeprefix("label_values(").rsplit(",", 1)[0]


def metric_names(expression: str) -> set[str]:
    """The metric names an expression selects (raises ``ValueError`` if it is not valid PromQL)."""
    names: set[str] = set()

    def visit(node) -> bool:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)
        return True

    promql_parser.walk(promql_parser.parse(expression), visit)
    return names
