"""pytest plugin: the real test stack (Kafka 19092, PostgreSQL 26432, services 18001-18004), once per session.

Loaded from the root ``conftest.py``. Tests marked ``integration`` or ``e2e`` ask for these fixtures:

- ``test_stack`` -> :class:`TestStack`: Kafka and PostgreSQL of the test profile, started if needed and
  stopped at the end of the session; the four topics exist under the session's random ``topic_prefix``.
- ``service_database`` -> ``make(package) -> async URL``: a fresh, migrated database, dropped at the end.
- ``services_running`` -> :class:`StackUrls`: the four services on 18001-18004 with fresh databases and
  the session's topic prefix, ready (``/readyz``), stopped at the end.

A stack this session did not start (``make up --profile test``, another session, one that crashed) is
reused only when ``MEDFUND_TEST_REUSE_STACK=1``. A stack a person started is never stopped by tests; one
a test session started is stopped by the last session using it (see :mod:`medfund_deploy.leases`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import pytest

from medfund_deploy import kafka, leases, postgres, services, topics
from medfund_deploy.chaos import ServiceSet
from medfund_deploy.errors import StackError
from medfund_deploy.procs import port_open
from medfund_deploy.profiles import SERVICES, Profile, get_profile
from medfund_shared.db import drop_database, ensure_database

REUSE_ENV = "MEDFUND_TEST_REUSE_STACK"
T = TypeVar("T")


def off_loop(function: Callable[..., T], *args: object) -> T:
    """Run blocking set-up code in a worker thread: it may call ``asyncio.run`` even from an async test."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


@dataclass
class TestStack:
    """The running test infrastructure and what this session owns in it."""

    __test__ = False

    profile: Profile
    session_tag: str
    topic_prefix: str
    started: list[str] = field(default_factory=list)

    @property
    def kafka_bootstrap(self) -> str:
        return self.profile.kafka_bootstrap

    @property
    def admin_database_url(self) -> str:
        return postgres.admin_url(self.profile)

    def env(self, database_url: str) -> dict[str, str]:
        """``MEDFUND_*`` settings that point a service at this stack."""
        return {
            "MEDFUND_DATABASE_URL": database_url,
            "MEDFUND_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "MEDFUND_TOPIC_PREFIX": self.topic_prefix,
            "MEDFUND_ENV": "development",
        }

    def restart_kafka(self) -> None:
        """Bounce the broker (data kept): for outage and recovery tests."""
        off_loop(kafka.restart_kafka, self.profile)

    def stop_kafka(self) -> None:
        off_loop(kafka.stop_kafka, self.profile)

    def start_kafka(self) -> None:
        off_loop(kafka.start_kafka, self.profile)

    def restart_postgres(self) -> None:
        off_loop(postgres.restart_postgres, self.profile)

    def stop_postgres(self) -> None:
        """Stop the database server (data kept) for an outage test; :meth:`start_postgres` brings it back."""
        off_loop(postgres.stop_postgres, self.profile)

    def start_postgres(self) -> None:
        off_loop(postgres.start_postgres, self.profile)


@dataclass(frozen=True)
class StackUrls:
    """Base URLs of the four running services, plus what they were started with."""

    enrollment: str
    billing: str
    adjudication: str
    ledger: str
    databases: dict[str, str]
    kafka_bootstrap: str
    topic_prefix: str


def start_infra(profile: Profile, reuse: bool) -> list[str]:
    """Start Kafka and PostgreSQL of ``profile`` unless served already; return the ones started here.

    Refuses, naming the way out, to run against a stack it did not start unless ``reuse`` is set.
    """
    served = {
        "kafka": port_open(profile.kafka_port),
        "postgres": port_open(profile.postgres_port),
    }
    if any(served.values()) and not reuse:
        taken = ", ".join(name for name, up in served.items() if up)
        raise StackError(
            f"the test stack ports are already served ({taken}) by a stack this test session did not start. "
            f"Stop it with `medfund stack down --profile test`, or set {REUSE_ENV}=1 to run against it."
        )
    started = []
    if not served["kafka"]:
        kafka.start_kafka(profile)
        started.append("kafka")
    if not served["postgres"]:
        postgres.start_postgres(profile)
        started.append("postgres")
    return started


def stop_infra(profile: Profile, started: list[str]) -> None:
    """Stop only what :func:`start_infra` started."""
    if "kafka" in started:
        kafka.stop_kafka(profile)
    if "postgres" in started:
        postgres.stop_postgres(profile)


@pytest.fixture(scope="session")
def test_stack() -> Iterator[TestStack]:
    """Kafka + PostgreSQL of the test profile and this session's four topics (prefix ``t<8 hex>.``)."""
    profile = get_profile("test")
    tag = f"t{secrets.token_hex(4)}"
    reuse = os.environ.get(REUSE_ENV) == "1"
    try:
        started = off_loop(leases.join, profile, lambda: start_infra(profile, reuse))
    except StackError as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    stack = TestStack(profile=profile, session_tag=tag, topic_prefix=f"{tag}.", started=started)
    names = off_loop(topics.create_topics, stack.kafka_bootstrap, stack.topic_prefix)
    try:
        yield stack
        if port_open(profile.kafka_port):
            off_loop(topics.delete_topics, stack.kafka_bootstrap, names)
    finally:
        off_loop(leases.leave, profile, lambda components: stop_infra(profile, components))


@pytest.fixture(scope="session")
def topic_prefix(test_stack: TestStack) -> str:
    """This session's topic prefix: pass it as ``MEDFUND_TOPIC_PREFIX``."""
    return test_stack.topic_prefix


def create_database(stack: TestStack, name: str, package: str) -> str:
    """Create database ``name`` and migrate it with ``package``'s migrations; return its async URL."""
    asyncio.run(ensure_database(stack.admin_database_url, name))
    url = stack.profile.database_url(name)
    postgres.migrate(package, url)
    return url


@pytest.fixture(scope="session")
def service_database(test_stack: TestStack) -> Iterator[Callable[[str], str]]:
    """Factory ``make("medfund_billing") -> "postgresql+asyncpg://..."``: a fresh migrated database.

    Each call creates a new database ``<package>_<session tag>_<n>``; all are dropped at session end.
    """
    created: list[str] = []

    def make(package: str) -> str:
        name = f"{package}_{test_stack.session_tag}_{len(created) + 1}"
        created.append(name)
        return off_loop(create_database, test_stack, name, package)

    yield make
    for name in created:
        off_loop(asyncio.run, drop_database(test_stack.admin_database_url, name))


@pytest.fixture(scope="session")
def services_running(test_stack: TestStack, service_database: Callable[[str], str]) -> Iterator[StackUrls]:
    """The four services on the test ports with fresh databases and this session's topics."""
    profile = test_stack.profile
    databases: dict[str, str] = {}
    started: list[str] = []
    try:
        for service in SERVICES:
            databases[service] = service_database(services.package(service))
            off_loop(_start_service, test_stack, service, databases[service])
            started.append(service)
        yield StackUrls(
            **{service: services.url(profile, service) for service in SERVICES},
            databases=databases,
            kafka_bootstrap=test_stack.kafka_bootstrap,
            topic_prefix=test_stack.topic_prefix,
        )
    except StackError as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    finally:
        for service in reversed(started):
            services.stop_service(profile, service)


def _start_service(stack: TestStack, service: str, database_url: str) -> None:
    if services.running(stack.profile, service) is not None:
        raise StackError(
            f"{service} of the test profile is already running (started outside this session); "
            f"stop it with `medfund stack down --profile test`"
        )
    services.start_service(stack.profile, service, database_url=database_url, topic_prefix=stack.topic_prefix)


@contextmanager
def own_service_set(profile: Profile, stack: TestStack, service_database: Callable[[str], str]) -> Iterator[ServiceSet]:
    """Four services of ``profile`` with fresh databases and topics of their own (``<session prefix><profile>.``).

    Their own topics matter: services sharing a prefix share consumer groups, so another set's consumers
    would take some partitions and project those events into *their* databases. Services that cannot
    start are recorded in ``failures``; the log offsets let a test read only what this set wrote.
    """
    prefix = f"{stack.topic_prefix}{profile.name}."
    names = off_loop(topics.create_topics, stack.kafka_bootstrap, prefix)
    service_set = ServiceSet(profile, prefix,
                             {service: service_database(services.package(service)) for service in SERVICES})
    service_set.log_offsets = {service: path.stat().st_size if (path := service_set.log(service)).exists() else 0
                               for service in SERVICES}
    service_set.failures = service_set.start_each()
    try:
        yield service_set
    finally:
        service_set.stop_all()
        if port_open(profile.kafka_port):
            off_loop(topics.delete_topics, stack.kafka_bootstrap, names)


def own_service_set_fixture(profile: Profile, name: str):
    """A session fixture ``name``: the four services of ``profile`` on a service set of their own
    (:func:`own_service_set`), for a suite whose conftest needs nothing else (fuzz, security)."""

    @pytest.fixture(scope="session", name=name)
    def service_set(test_stack: TestStack, service_database: Callable[[str], str]) -> Iterator[ServiceSet]:
        """The suite's four services, on ports, databases and topics of their own."""
        with own_service_set(profile, test_stack, service_database) as stack:
            yield stack

    return service_set
