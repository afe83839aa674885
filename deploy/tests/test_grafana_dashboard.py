"""The provisioned Grafana dashboards are what Grafana loads: checked offline against Grafana's own dashboard
types (grafana-foundation-sdk, generated from Grafana's schema) and the structure file provisioning needs,
with every expression valid PromQL. That the expressions name metrics the services really expose is checked
against the running services in ``tests/e2e/test_business_metrics.py``."""

import re

import pytest
from grafana_foundation_sdk.cog import plugins
from grafana_foundation_sdk.models import dashboard as grafana
from grafana_foundation_sdk.models import prometheus, stat, timeseries

from medfund_deploy import dashboards

DASHBOARDS = dashboards.dashboards()
PANEL_TYPES = {"timeseries": timeseries.Options, "stat": stat.Options}
"""The panel types the dashboards use, with the options type Grafana's schema gives each."""
plugins.register_default_plugins()


def test_there_is_a_dashboard() -> None:
    assert DASHBOARDS


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_the_dashboard_has_what_provisioning_needs(path) -> None:
    board = DASHBOARDS[path]
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,40}", board["uid"]), "uid: 8-40 letters, digits, - or _"
    assert board["title"] and isinstance(board["schemaVersion"], int)
    assert "id" not in board or board["id"] is None, "a provisioned dashboard has no instance-specific id"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] >= 1 and grid["x"] + grid["w"] <= 24, panel["title"]
    for panel in dashboards.panels(board):
        assert panel["type"] in PANEL_TYPES, panel["title"]
        assert panel["datasource"]["type"] == "prometheus" and panel["datasource"]["uid"], panel["title"]
        assert panel["targets"], f"{panel['title']} queries nothing"
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_grafanas_dashboard_types_read_every_panel_and_query(path) -> None:
    board = DASHBOARDS[path]
    decoded = grafana.Dashboard.from_json(board)
    assert (decoded.uid, decoded.title) == (board["uid"], board["title"])
    flat = [panel for panel in decoded.panels if isinstance(panel, grafana.Panel)]
    assert [panel.title for panel in flat] == [p["title"] for p in board["panels"] if p["type"] != "row"]
    for panel, source in zip(flat, (p for p in board["panels"] if p["type"] != "row"), strict=True):
        assert panel.datasource.uid == source["datasource"]["uid"]
        assert all(isinstance(target, prometheus.Dataquery) for target in panel.targets), panel.title
        assert [target.expr for target in panel.targets] == [target["expr"] for target in source["targets"]]
        assert isinstance(panel.options, PANEL_TYPES[source["type"]]), panel.title


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_expression_is_promql_naming_medfund_metrics(path) -> None:
    for expression in dashboards.expressions(DASHBOARDS[path]):
        names = dashboards.metric_names(expression)
        assert names and all(name.startswith("medfund_") for name in names), expression


def test_an_invalid_expression_is_refused() -> None:
    with pytest.raises(ValueError):
        dashboards.metric_names("sum by (rule (medfund_alerts_open)")
