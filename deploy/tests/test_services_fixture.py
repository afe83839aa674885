"""The ``services_running`` fixture: four real services on the test ports, ready, on this session's topics."""

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from medfund_deploy import services
from medfund_deploy.profiles import SERVICES, get_profile
from medfund_deploy.pytest_plugin import StackUrls

pytestmark = pytest.mark.e2e


def _environment(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode().split("=", 1) for pair in pairs if b"=" in pair)


def test_four_services_answer_ready_with_fresh_databases_and_session_topics(services_running: StackUrls) -> None:
    test = get_profile("test")
    tag = services_running.topic_prefix.rstrip(".")
    for service in SERVICES:
        base = getattr(services_running, service)
        database = services_running.databases[service]
        environment = _environment(services.running(test, service))

        assert base == f"http://127.0.0.1:{test.service_port(service)}"
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
        assert re.fullmatch(rf"{services.package(service)}_{tag}_\d+", make_url(database).database)
        assert environment["MEDFUND_DATABASE_URL"] == database
        assert environment["MEDFUND_TOPIC_PREFIX"] == services_running.topic_prefix
        assert environment["MEDFUND_KAFKA_BOOTSTRAP"] == test.kafka_bootstrap
