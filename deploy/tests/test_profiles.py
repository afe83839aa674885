"""Every stack's ports lie below the kernel's ephemeral range, no two stacks share a service port, and clients
reach PostgreSQL through its Unix socket."""

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from medfund_deploy import profiles
from medfund_deploy.chaos import CHAOS, FUZZ, LAUNCHER, PROBE
from medfund_deploy.profiles import PROFILES, SERVICES, Profile

ALL_PROFILES = (*PROFILES.values(), CHAOS, PROBE, FUZZ, LAUNCHER)


def _ports(profile: Profile) -> list[int]:
    return [profile.postgres_port, profile.kafka_port, profile.controller_port,
            *(profile.service_port(service) for service in SERVICES)]


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
            port = profile.service_port(service)
            assert port not in owners, f"{profile.name} {service} and {owners[port]} both on {port}"
            owners[port] = f"{profile.name} {service}"


def test_databases_are_reached_through_the_servers_unix_socket() -> None:
    url = make_url(PROFILES["test"].database_url("medfund_billing"))
    assert (url.host, url.database, url.query) == (None, "medfund_billing",
                                                   {"host": str(profiles.POSTGRES_SOCKETS), "port": "26432"})


def test_a_socket_path_too_long_for_an_address_falls_back_to_tcp(monkeypatch) -> None:
    monkeypatch.setattr(profiles, "POSTGRES_SOCKETS", Path("/" + "deep/" * 25))
    assert PROFILES["test"].database_url("medfund_billing") == "postgresql+asyncpg://medfund@127.0.0.1:26432/medfund_billing"
