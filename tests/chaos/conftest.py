"""The chaos profile: its own Kafka (29092), PostgreSQL (27432) and services (28001-28004).

Nothing here touches the shared test stack; the fault suite kills and restarts all of this freely.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from medfund_deploy.chaos import (
    CHAOS,
    ServiceSet,
    drop_service_set,
    new_service_set,
    start_chaos_infra,
    stop_chaos_infra,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: fault injection on the chaos profile's own stack")


@pytest.fixture(scope="session")
def chaos_stack() -> Iterator[ServiceSet]:
    started = start_chaos_infra()
    stack = new_service_set(CHAOS)
    try:
        stack.start_all()
        yield stack
    finally:
        try:
            drop_service_set(stack)
        finally:
            if started:
                stop_chaos_infra()
