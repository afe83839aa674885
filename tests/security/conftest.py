"""The four services on 38001-38004 (profile ``probe``) against the shared test infrastructure.

Its own ports, pid files and logs (``.state/probe/logs``), so security tests never collide with other
sessions' services; the log offsets at start let a test read only what this session wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from medfund_deploy import services
from medfund_deploy.chaos import PROBE, ServiceSet
from medfund_deploy.profiles import SERVICES
from medfund_deploy.pytest_plugin import TestStack


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "security: security properties of the running services")


@pytest.fixture(scope="session")
def probe_services(test_stack: TestStack, service_database: Callable[[str], str]) -> Iterator[ServiceSet]:
    stack = ServiceSet(PROBE, test_stack.topic_prefix,
                       {service: service_database(services.package(service)) for service in SERVICES})
    stack.log_offsets = {service: stack.log(service).stat().st_size if stack.log(service).exists() else 0
                         for service in SERVICES}
    stack.failures = stack.start_each()
    try:
        yield stack
    finally:
        stack.stop_all()
