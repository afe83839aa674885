"""The four services on 28101-28104 (profile ``probe``) against the shared test infrastructure.

Their own ports, pid files, logs (``.state/probe/logs``), databases and topics, so security tests never
collide with other sessions' services nor with the other service sets of this session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from medfund_deploy.chaos import PROBE, ServiceSet
from medfund_deploy.pytest_plugin import TestStack, own_service_set


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "security: security properties of the running services")


@pytest.fixture(scope="session")
def probe_services(test_stack: TestStack, service_database: Callable[[str], str]) -> Iterator[ServiceSet]:
    with own_service_set(PROBE, test_stack, service_database) as stack:
        yield stack
