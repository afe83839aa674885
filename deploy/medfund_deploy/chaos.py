"""Stacks of our own for fault, fuzz and security tests, so nobody else's stack is ever disturbed.

- ``CHAOS``: its own Kafka (29092/29093), PostgreSQL (27432) and services (28001-28004), state under
  ``.state/chaos/``. The fault suite kills and restarts all of it.
- ``PROBE`` (security) and ``FUZZ``: services on 28101-28104 / 28201-28204 against the shared test
  infrastructure (PostgreSQL 26432, Kafka 19092), with their own pid files and logs under
  ``.state/probe/`` / ``.state/fuzz/``, so they never collide with other sessions' services on 18001-18004.
- ``ISOLATED``: services on 28301-28304 against the shared test infrastructure, for an end-to-end module whose
  assertions need the platform to itself (a demo county's pools, a region's business clock), whatever the
  session's other modules did on the shared services. One such module runs at a time (module-scoped).
- ``LAUNCHER``: the launcher's own test takes a whole stack (PostgreSQL 26532, Kafka 19192, services
  18101-18104) up and down.
- ``CHAOS_PAIR``: two instances of every service (28401-28404 and 28405-28408) on the chaos profile's Kafka and
  PostgreSQL, each pair sharing its database, consumer groups and outbox: the two-instance fault test.
- ``CHAOS_CLUSTER``: a three-node KRaft cluster of its own (brokers 29592, 30592, 31592; controllers 29593, 30593,
  31593) with services on 28501-28504, on the chaos profile's PostgreSQL: the broker-loss test. No port of these
  meets another profile's under any ``MEDFUND_PORT_SHIFT`` from 0 to 80.

Every port lies below the kernel's ephemeral range (32768 and up): a stack started mid-run once failed to bind
a port that the test process's own Kafka connection had been given as its local end.

``allowed_roles`` reads which roles each route admits from the app itself (the ``require_roles``
dependencies), so the security matrix and the fuzzer need no hand-kept list of routes.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

from medfund_deploy import kafka, postgres, services
from medfund_deploy.errors import StackError
from medfund_deploy.profiles import PROFILES, SERVICES, Profile
from medfund_deploy.topics import create_topics
from medfund_shared.db import drop_database, ensure_database

CHAOS = Profile("chaos", postgres_port=27432, kafka_port=29092, controller_port=29093,
                first_service_port=28001).shifted()
PROBE = Profile("probe", postgres_port=26432, kafka_port=19092, controller_port=19093,
                first_service_port=28101).shifted()
FUZZ = Profile("fuzz", postgres_port=26432, kafka_port=19092, controller_port=19093,
               first_service_port=28201).shifted()
ISOLATED = Profile("isolated", postgres_port=26432, kafka_port=19092, controller_port=19093,
                   first_service_port=28301).shifted()
LAUNCHER = Profile("launcher-test", postgres_port=26532, kafka_port=19192, controller_port=19193,
                   first_service_port=18101).shifted()
CHAOS_PAIR = Profile("chaos-pair", postgres_port=27432, kafka_port=29092, controller_port=29093,
                     first_service_port=28401, instances=2).shifted()
CHAOS_CLUSTER = Profile("chaos-cluster", postgres_port=27432, kafka_port=29592, controller_port=29593,
                        first_service_port=28501, brokers=3).shifted()
ALL_ROLES = frozenset({"admin", "operator", "his", "tax"})


@dataclass
class ServiceSet:
    """Four services of ``profile`` (``profile.instances`` processes of each) on fresh databases and one topic
    prefix. ``instance`` arguments count from 1."""

    profile: Profile
    topic_prefix: str
    databases: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    """Services that could not start, with the reason (tests of those services fail with it)."""
    log_offsets: dict[str, int] = field(default_factory=dict)
    """Size of each service log before this set started: what came after is this session's."""

    def require(self, service: str) -> str:
        """The service's base URL, or fail the calling test with why it is not running."""
        if service in self.failures:
            raise StackError(f"{service} did not start: {self.failures[service]}")
        return self.url(service)

    def new_log_text(self, service: str, instance: int = 1) -> str:
        path = self.log(service, instance)
        if not path.exists():
            return ""
        with path.open("rb") as source:
            source.seek(self.log_offsets.get(service, 0))
            return source.read().decode("utf-8", errors="replace")

    @property
    def instances(self) -> range:
        return range(1, self.profile.instances + 1)

    def url(self, service: str, instance: int = 1) -> str:
        return services.url(self.profile, service, instance)

    def log(self, service: str, instance: int = 1):
        return services.log_file(self.profile, service, instance)

    def start(self, service: str, instance: int = 1) -> None:
        """Start one instance of a service (waits for ``/readyz``); extra ``env`` is passed through the environment."""
        saved = {key: os.environ.get(key) for key in self.env}
        os.environ.update(self.env)
        try:
            services.start_service(self.profile, service, database_url=self.databases[service],
                                   topic_prefix=self.topic_prefix, instance=instance)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def start_all(self) -> None:
        for service in SERVICES:
            for instance in self.instances:
                self.start(service, instance)

    def start_each(self) -> dict[str, str]:
        """Start every service that can start; return ``{service: why it did not}`` for the others."""
        failures = {}
        for service in SERVICES:
            try:
                self.start(service)
            except StackError as error:
                failures[service] = str(error)
        return failures

    def stop_all(self) -> None:
        for service in reversed(SERVICES):
            for instance in self.instances:
                services.stop_service(self.profile, service, instance)

    def sigkill(self, service: str, instance: int = 1) -> int:
        """SIGKILL one instance's process group (no shutdown hooks run); return the pid killed."""
        pid = services.kill_service(self.profile, service, instance)
        if pid is None:
            raise StackError(f"{service} instance {instance} of profile {self.profile.name} is not running")
        return pid


def new_service_set(profile: Profile, tag: str | None = None) -> ServiceSet:
    """Fresh migrated databases ``medfund_<svc>_<tag>`` and topics under prefix ``<tag>.`` on ``profile``."""
    tag = tag or f"{profile.name[0]}{secrets.token_hex(4)}"
    prefix = f"{tag}."
    create_topics(profile.kafka_bootstrap, prefix, profile.replication_factor, profile.min_insync_replicas)
    databases = {}
    for service in SERVICES:
        name = f"medfund_{service}_{tag}"
        asyncio.run(ensure_database(postgres.admin_url(profile), name))
        databases[service] = profile.database_url(name)
        postgres.migrate(services.package(service), databases[service])
    return ServiceSet(profile, prefix, databases)


def drop_service_set(stack: ServiceSet) -> None:
    """Stop the services and drop their databases (topics are left to the broker's owner)."""
    stack.stop_all()
    for url in stack.databases.values():
        asyncio.run(drop_database(postgres.admin_url(stack.profile), make_url(url).database))


def kill_broker(profile: Profile, node: int) -> int:
    """SIGKILL one node of ``profile``'s own Kafka cluster; return the pid killed."""
    _refuse_shared(profile)
    return kafka.kill_node(profile, node)


def start_broker(profile: Profile, node: int) -> None:
    """Start a killed node again (its storage kept) and wait until it serves."""
    kafka.start_node(profile, node)


def restart_kafka(profile: Profile = CHAOS) -> None:
    _refuse_shared(profile)
    kafka.restart_kafka(profile)


def restart_postgres(profile: Profile = CHAOS) -> None:
    _refuse_shared(profile)
    postgres.restart_postgres(profile)


def _refuse_shared(profile: Profile) -> None:
    """Faults are injected only into infrastructure that this module's chaos profile owns."""
    if any(profile.kafka_port == shared.kafka_port or profile.postgres_port == shared.postgres_port
           for shared in PROFILES.values()):
        raise StackError(f"refusing to inject a fault into the shared {profile.name} infrastructure")


def wait_for(condition: Callable[[], bool], what: str, timeout: float, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise StackError(f"{what} did not happen within {timeout:.0f}s")


def allowed_roles(app) -> dict[tuple[str, str], frozenset[str] | None]:
    """``{(METHOD, path): roles}`` for every route; ``None`` when the route needs no token at all.

    A route that only asks for the current principal admits every role.
    """
    from medfund_shared.auth import current_principal

    table: dict[tuple[str, str], frozenset[str] | None] = {}
    for path, methods, dependant, extra in _api_routes(app.router.routes, "", ()):
        roles = _roles_of(dependant, current_principal)
        for call in extra:
            roles = _narrow(roles, _roles_of_call(call, current_principal))
        for method in methods:
            table[(method, path)] = roles
    return table


def _api_routes(routes, prefix: str, extra: tuple):
    """(path, methods, dependant, include-level dependency callables) of every API route, however nested."""
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route.methods, route.dependant, extra
        elif hasattr(route, "original_router"):
            context = route.include_context
            calls = tuple(depends.dependency for depends in context.dependencies)
            yield from _api_routes(route.original_router.routes, prefix + context.prefix, extra + calls)


def _roles_of_call(call, current_principal) -> frozenset[str] | None:
    cells = [cell.cell_contents for cell in (getattr(call, "__closure__", None) or ())]
    named = [value for value in cells if isinstance(value, tuple) and value and set(value) <= ALL_ROLES]
    if named:
        return frozenset(named[0])
    return ALL_ROLES if call is current_principal else None


def _narrow(found: frozenset[str] | None, more: frozenset[str] | None) -> frozenset[str] | None:
    if more is None:
        return found
    return more if found is None else found & more


def _roles_of(dependant, current_principal) -> frozenset[str] | None:
    found: frozenset[str] | None = None
    for dependency in dependant.dependencies:
        found = _narrow(found, _roles_of_call(dependency.call, current_principal))
        found = _narrow(found, _roles_of(dependency, current_principal))
    return found
