"""Stacks of the fault suites, none shared with anybody: the chaos profile's own Kafka (29092) and PostgreSQL
(27432), and on them, one module at a time, a service set of the module's own:

- ``chaos_stack``: one instance of every service (28001-28004); the fault suite kills and restarts all of it.
- ``instance_pair``: two instances of every service (28401-28408) sharing each service's database, consumer
  groups and outbox, as instances on two hosts would.
- ``broker_cluster``: one instance of every service (28501-28504) on a three-node KRaft cluster of its own
  (brokers 29592, 30592, 31592), on the chaos PostgreSQL.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from medfund_deploy import kafka, postgres
from medfund_deploy.chaos import (
    CHAOS,
    CHAOS_CLUSTER,
    CHAOS_PAIR,
    ServiceSet,
    drop_service_set,
    new_service_set,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: fault injection on the chaos profile's own stack")


@pytest.fixture(scope="session")
def chaos_postgres() -> Iterator[None]:
    started = postgres.start_postgres(CHAOS)
    try:
        yield
    finally:
        if started:
            postgres.stop_postgres(CHAOS)


@pytest.fixture(scope="session")
def chaos_kafka() -> Iterator[None]:
    started = kafka.start_kafka(CHAOS)
    try:
        yield
    finally:
        if started:
            kafka.stop_kafka(CHAOS)


def _running(stack: ServiceSet) -> Iterator[ServiceSet]:
    try:
        stack.start_all()
        yield stack
    finally:
        drop_service_set(stack)


@pytest.fixture(scope="module")
def chaos_stack(chaos_postgres: None, chaos_kafka: None) -> Iterator[ServiceSet]:
    yield from _running(new_service_set(CHAOS))


@pytest.fixture(scope="module")
def instance_pair(chaos_postgres: None, chaos_kafka: None) -> Iterator[ServiceSet]:
    yield from _running(new_service_set(CHAOS_PAIR))


@pytest.fixture(scope="module")
def broker_cluster(chaos_postgres: None) -> Iterator[ServiceSet]:
    started = kafka.start_kafka(CHAOS_CLUSTER)
    try:
        yield from _running(new_service_set(CHAOS_CLUSTER))
    finally:
        if started:
            kafka.stop_kafka(CHAOS_CLUSTER)
