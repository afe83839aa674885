"""Every stack's ports lie below the kernel's ephemeral range, and no two stacks share a service port."""

from pathlib import Path

import pytest

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
