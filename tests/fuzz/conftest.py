"""The four services on 28201-28204 (profile ``fuzz``) against the shared test infrastructure.

Their own ports, pid files, logs (``.state/fuzz/logs``), databases and topics, so fuzz tests never
collide with other sessions' services nor with the other service sets of this session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from medfund_deploy.chaos import FUZZ, ServiceSet
from medfund_deploy.pytest_plugin import TestStack, own_service_set


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: property-based fuzzing of parsers and HTTP APIs")


@pytest.fixture(scope="session")
def fuzz_services(test_stack: TestStack, service_database: Callable[[str], str]) -> Iterator[ServiceSet]:
    with own_service_set(FUZZ, test_stack, service_database) as stack:
        yield stack
