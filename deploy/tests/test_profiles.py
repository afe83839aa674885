"""Every stack's ports lie below the kernel's ephemeral range, no two stacks share a service port, and clients
reach PostgreSQL through its Unix socket."""

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from medfund_deploy import profiles
from medfund_deploy.chaos import CHAOS, CHAOS_CLUSTER, CHAOS_PAIR, FUZZ, ISOLATED, LAUNCHER, PROBE
from medfund_deploy.profiles import PROFILES, SERVICES, Profile

ALL_PROFILES = (*PROFILES.values(), CHAOS, PROBE, FUZZ, ISOLATED, LAUNCHER, CHAOS_PAIR, CHAOS_CLUSTER)
SHIFTS = 80
"""The ``MEDFUND_PORT_SHIFT`` values engineers use lie in 0-80."""


def _ports(profile: Profile) -> list[int]:
    """Every port the profile's processes listen on: PostgreSQL, each Kafka node's two, each service instance's."""
    nodes = range(1, profile.brokers + 1)
    return [profile.postgres_port, *(profile.broker_port(node) for node in nodes),
            *(profile.controller_port_of(node) for node in nodes),
            *(profile.service_port(service, instance) for service in SERVICES
              for instance in range(1, profile.instances + 1))]


def _ephemeral_floor() -> int:
    low, _high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low)


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda profile: profile.name)
def test_ports_lie_below_the_ephemeral_range(profile: Profile) -> None:
    floor = _ephemeral_floor()
    assert [port for port in _ports(profile) if port >= floor] == []


def test_no_two_stacks_start_services_on_one_port() -> None:
    owners: dict[int, str] = {}
    for profile in ALL_PROFILES:
        for service in SERVICES:
            for instance in range(1, profile.instances + 1):
                port = profile.service_port(service, instance)
                assert port not in owners, f"{profile.name} {service} and {owners[port]} both on {port}"
                owners[port] = f"{profile.name} {service}"


def test_no_port_meets_another_stacks_under_any_shift() -> None:
    """A port two profiles share is one server they share (the test infrastructure); any other two ports of two
    profiles lie more than 80 apart, so worktrees with different shifts never collide."""
    owners: dict[int, set[str]] = {}
    for profile in ALL_PROFILES:
        for port in _ports(profile):
            owners.setdefault(port, set()).add(profile.name)
    meeting = [(a, sorted(owners[a]), b, sorted(owners[b])) for a in owners for b in owners
               if a < b <= a + SHIFTS and not owners[a] & owners[b]]
    assert meeting == []


def test_a_cluster_lists_every_broker_and_replicates_to_a_majority() -> None:
    assert CHAOS_CLUSTER.kafka_bootstrap.split(",") == [
        f"127.0.0.1:{CHAOS_CLUSTER.kafka_port + step}" for step in (0, 1000, 2000)]
    assert (CHAOS_CLUSTER.replication_factor, CHAOS_CLUSTER.min_insync_replicas) == (3, 2)
    assert (CHAOS.kafka_bootstrap, CHAOS.replication_factor, CHAOS.min_insync_replicas) == (
        f"127.0.0.1:{CHAOS.kafka_port}", 1, 1)


def test_instances_follow_one_another_in_port_blocks() -> None:
    assert [CHAOS_PAIR.service_port("enrollment", i) for i in (1, 2)] == [
        CHAOS_PAIR.first_service_port, CHAOS_PAIR.first_service_port + len(SERVICES)]


def test_databases_are_reached_through_the_servers_unix_socket() -> None:
    url = make_url(PROFILES["test"].database_url("medfund_billing"))
    assert (url.host, url.database, url.query) == (None, "medfund_billing",
                                                   {"host": str(profiles.POSTGRES_SOCKETS), "port": "26432"})


def test_a_socket_path_too_long_for_an_address_falls_back_to_tcp(monkeypatch) -> None:
    monkeypatch.setattr(profiles, "POSTGRES_SOCKETS", Path("/" + "deep/" * 25))
    assert PROFILES["test"].database_url("medfund_billing") == "postgresql+asyncpg://medfund@127.0.0.1:26432/medfund_billing"
