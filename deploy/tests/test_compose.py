"""docker-compose.yml is valid Compose and describes the same stack as the launcher (no Docker needed)."""

import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from medfund_deploy.postgres import START_SETTINGS
from medfund_deploy.profiles import SERVICES, get_profile
from medfund_deploy.topics import PARTITIONS, TOPICS

ROOT = Path(__file__).resolve().parents[2]
# The Compose Specification schema as vendored by the check-jsonschema package on PyPI (licence beside it).
SCHEMA = json.loads((Path(__file__).with_name("compose-spec.json")).read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _with_defaults(value: str) -> str:
    """``${NAME:-default}`` as Compose reads it when ``NAME`` is unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_compose_file_matches_the_compose_specification(compose: dict) -> None:
    errors = [error.message for error in jsonschema_rs.validator_for(SCHEMA).iter_errors(compose)]
    assert errors == []


def test_schema_rejects_a_broken_compose_file(compose: dict) -> None:
    broken = {**compose, "services": {"kafka": {"ports": "9092"}}}
    assert not jsonschema_rs.validator_for(SCHEMA).is_valid(broken)


def test_services_publish_the_dev_ports_and_use_their_own_database(compose: dict) -> None:
    dev = get_profile("dev")
    for service in SERVICES:
        spec = compose["services"][service]
        port = dev.service_port(service)
        assert spec["ports"] == [f"{port}:{port}"]
        assert f"medfund_{service}.main:create_app" in spec["command"]
        assert spec["environment"]["MEDFUND_DATABASE_URL"].endswith(f"/medfund_{service}")
        assert spec["build"]["dockerfile"] == "deploy/Dockerfile"
    assert [_with_defaults(p) for p in compose["services"]["kafka"]["ports"]] == [
        f"127.0.0.1:{dev.kafka_port}:{dev.kafka_port}"]
    assert [_with_defaults(p) for p in compose["services"]["postgres"]["ports"]] == [
        f"127.0.0.1:{dev.postgres_port}:5432"]


def test_services_have_a_healthcheck_on_their_readiness(compose: dict) -> None:
    for service in SERVICES:
        port = compose["services"][service]["ports"][0].rsplit(":", 1)[-1]
        check = compose["services"][service]["healthcheck"]
        assert check["test"][:2] == ["CMD", "python"]
        assert f"http://127.0.0.1:{port}/readyz" in check["test"][-1]
        assert check["interval"] and check["retries"] >= 1


def test_every_image_is_pinned_to_a_release(compose: dict) -> None:
    for name, spec in compose["services"].items():
        if "build" in spec:
            continue
        image, _, tag = spec["image"].partition(":")
        assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?", tag), f"{name}: {spec['image']} is not pinned to a release"


def test_postgres_gets_the_launchers_settings(compose: dict) -> None:
    command = compose["services"]["postgres"]["command"]
    for name, value in START_SETTINGS.items():
        assert f"{name}={value}" in command


def test_kafka_is_single_node_kraft_without_auto_created_topics(compose: dict) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:4.")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_topics_and_databases_are_the_launchers(compose: dict) -> None:
    script = compose["services"]["topics"]["command"][0]
    assert re.search(r"for topic in ([^;]+);", script).group(1).split() == list(TOPICS)
    assert f"--partitions {PARTITIONS}" in script and "retention.ms=-1" in script
    init_sql = (ROOT / "deploy" / "postgres" / "init-databases.sql").read_text()
    assert re.findall(r"CREATE DATABASE (\w+);", init_sql) == [f"medfund_{service}" for service in SERVICES]


def _mounts(spec: dict) -> dict[str, Path]:
    """Bind mounts of repository files: container path -> file or folder in the checkout."""
    mounts = {}
    for volume in spec.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = ROOT / source
    return mounts


def test_every_mounted_file_exists(compose: dict) -> None:
    for name, spec in compose["services"].items():
        for target, source in _mounts(spec).items():
            assert source.exists(), f"{name} mounts {source} at {target}, which is not in the repository"


def test_prometheus_and_grafana_are_published_on_loopback_with_a_healthcheck(compose: dict) -> None:
    for name, port in (("prometheus", 9090), ("grafana", 3000)):
        spec = compose["services"][name]
        assert [_with_defaults(p) for p in spec["ports"]] == [f"127.0.0.1:{port}:{port}"]
        assert f"http://127.0.0.1:{port}/" in " ".join(spec["healthcheck"]["test"])
        assert spec["healthcheck"]["retries"] >= 1


def test_prometheus_scrapes_the_metrics_of_every_service(compose: dict) -> None:
    mounted = _mounts(compose["services"]["prometheus"])["/etc/prometheus/prometheus.yml"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in compose["services"]["prometheus"]["command"]
    config = yaml.safe_load(mounted.read_text())
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    targets = {target for group in job["static_configs"] for target in group["targets"]}
    dev = get_profile("dev")
    assert targets == {f"{service}:{dev.service_port(service)}" for service in SERVICES}


def test_grafana_provisions_the_datasource_the_dashboards_name_and_loads_their_folder(compose: dict) -> None:
    from medfund_deploy import dashboards

    mounts = _mounts(compose["services"]["grafana"])
    [datasource] = yaml.safe_load(
        (mounts["/etc/grafana/provisioning/datasources"] / "medfund.yml").read_text())["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    [provider] = yaml.safe_load(
        (mounts["/etc/grafana/provisioning/dashboards"] / "medfund.yml").read_text())["providers"]
    assert provider["type"] == "file"
    assert mounts[provider["options"]["path"]] == dashboards.DASHBOARDS_DIR
    for path, dashboard in dashboards.dashboards().items():
        for panel in dashboards.panels(dashboard):
            assert panel["datasource"] == {"type": "prometheus", "uid": datasource["uid"]}, (path.name, panel["title"])


def test_services_keep_their_workers_metrics_in_a_folder_emptied_at_each_start(compose: dict) -> None:
    for service in SERVICES:
        spec = compose["services"][service]
        folder = spec["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        assert folder in spec["tmpfs"], f"{service}: {folder} is not a tmpfs"
