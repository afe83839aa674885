"""The living county when the stack is stopped under it (``make down`` during ``make run``): one clear line, no
traceback of the refused connections."""

import asyncio
from datetime import date

import httpx
import pytest

from medfund_cli.demo import population
from medfund_cli.demo.gateway import HisClient, HisCredentials
from medfund_cli.demo.hospital import HospitalSimulator, StackUnreachable
from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.scenario import Scenario, county_pack
from medfund_cli.demo.tally import Tally
from medfund_deploy.instances import free_port
from medfund_shared.money import Money


def simulator(http: httpx.AsyncClient) -> HospitalSimulator:
    scenario = Scenario(scale=50, rate=1000.0, seed=240, concurrency=2)
    clinic = Institution("H1", "clinic", "primary", Money.from_yuan(10_000), Money.from_yuan(10_000))
    his = {"H1": HisClient(http, f"http://127.0.0.1:{free_port()}", "H1", "clinic",
                           HisCredentials.new("H1", "t0"), "t0")}
    return HospitalSimulator(scenario, county_pack(scenario), [], population.outsiders(scenario, 1), [clinic], his,
                             Tally())


def test_a_refused_connection_is_tallied_and_remembered_not_raised():
    async def visit() -> HospitalSimulator:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as http:
            hospital = simulator(http)
            await hospital._uncovered(date(2026, 7, 1))
            return hospital

    hospital = asyncio.run(visit())
    assert hospital.unreachable is not None and hospital.unreachable.startswith("ConnectError")
    assert len(hospital.tally.refused_unexpected) == 1


def test_the_living_county_stops_with_one_reason_once_the_services_are_gone():
    async def live() -> None:
        async with httpx.AsyncClient() as http:
            hospital = simulator(http)
            hospital.unreachable = "ConnectError: All connection attempts failed"
            await hospital.run_days(date(2026, 7, 1), date(2026, 12, 31), lambda _day: Money.zero(),
                                    stop_when_unreachable=True)

    with pytest.raises(StackUnreachable, match="stopped answering on 2026-07-01: ConnectError"):
        asyncio.run(live())


def test_the_story_goes_on_through_a_failed_request_when_not_living():
    async def story() -> None:
        async with httpx.AsyncClient() as http:
            hospital = simulator(http)
            hospital.unreachable = "ConnectError: All connection attempts failed"
            await hospital.run_days(date(2026, 7, 1), date(2026, 7, 3), lambda _day: Money.zero())

    asyncio.run(story())
