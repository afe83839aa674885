"""The journeys' clients, in one place: by default the session's shared stack; a module that needs a service
set of its own (a region-wide clock another module would move) takes ``own_clients`` as its ``clients``."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from medfund_deploy.chaos import ISOLATED, ServiceSet
from medfund_deploy.pytest_plugin import own_service_set

sys.path.insert(0, str(Path(__file__).parent))

from journey_kit import Clients, clients_of, clients_of_set  # noqa: E402


@pytest.fixture(scope="module")
async def clients(services_running) -> AsyncIterator[Clients]:
    async with clients_of(services_running) as clients:
        yield clients


@pytest.fixture(scope="module")
def own_services(test_stack, service_database) -> Iterator[ServiceSet]:
    with own_service_set(ISOLATED, test_stack, service_database) as service_set:
        yield service_set


@pytest.fixture(scope="module")
async def own_clients(test_stack, own_services) -> AsyncIterator[Clients]:
    async with clients_of_set(test_stack, own_services) as clients:
        yield clients
