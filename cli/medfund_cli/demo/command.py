"""``medfund demo``: run the Shizhu demo county against a running stack and print the summary."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console

from medfund_cli.demo.hospital import HospitalSimulator, StackUnreachable
from medfund_cli.demo.progress import StatusDisplay
from medfund_cli.demo.runner import Demo, DemoError
from medfund_cli.demo.scenario import REAL_POPULATION, Plot, Scenario
from medfund_cli.demo.services import ServiceError, Services, Urls
from medfund_cli.demo.summary import gather, render
from medfund_deploy.profiles import get_profile
from medfund_shared.settings import Settings

LIVING_DAY_SECONDS = 1.0
"""After the story, one simulated day per second until the year ends."""


def demo(
    scale: Annotated[int, typer.Option("--scale", min=1, max=REAL_POPULATION,
                                       help=f"insured persons (the real county: {REAL_POPULATION:,})")] = 2_000,
    rate: Annotated[float, typer.Option("--rate", min=0.1, help="settlements started per second (at most)")] = 25.0,
    base_url: Annotated[str, typer.Option("--base-url", help="host of the four services")] = "http://127.0.0.1",
    first_port: Annotated[int | None, typer.Option("--first-port", help="enrollment's port; billing, adjudication "
                                                   "and ledger follow (default: the dev stack's, 8001 moved by "
                                                   "MEDFUND_PORT_SHIFT)")] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="exit after the summary instead of living on to "
                                          "the year's end")] = False,
    plot: Annotated[Plot, typer.Option("--scenario", help="overspending: spending runs ahead of time and one "
                                       "hospital overruns its budget; healthy: spending at the planned share of "
                                       "the pool's income, no red pool alert")] = Plot.OVERSPENDING,
    seed: Annotated[int, typer.Option("--seed", help="another seed gives another county")] = 240,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="encounters in flight at once")] = 16,
    summary_json: Annotated[Path | None, typer.Option("--json", help="also write the summary as JSON here")] = None,
) -> None:
    """A living demo county (Shizhu 500240, insurance year 2026) driven through the public APIs."""
    scenario = Scenario(scale=scale, rate=rate, seed=seed, concurrency=concurrency, plot=plot)
    dev = get_profile("dev")
    urls = Urls.local(base_url.rstrip("/"), first_port or dev.first_service_port)
    settings = Settings() if os.environ.get("MEDFUND_KAFKA_BOOTSTRAP") else \
        Settings(kafka_bootstrap=f"127.0.0.1:{dev.kafka_port}")
    try:
        asyncio.run(run(scenario, urls, settings, not no_wait, summary_json, Console()))
    except (DemoError, ServiceError, StackUnreachable) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except httpx.TransportError as error:
        typer.echo(f"error: the services stopped answering ({type(error).__name__}: {error or 'no answer'})",
                   err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("stopped")


async def run(scenario: Scenario, urls: Urls, settings: Settings, living: bool, summary_json: Path | None,
              console: Console) -> None:
    county = Demo(scenario, urls, settings)
    display = StatusDisplay(county, console)

    async def finale(api: Services, hospital: HospitalSimulator) -> None:
        summary = await gather(county.story, api, county.watcher.counts.alerts)
        await display.stop()
        render(summary, console)
        if summary_json is not None:
            summary_json.write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        if living:
            display.start()
            try:
                await county.live_on(hospital, LIVING_DAY_SECONDS)
            finally:
                await display.stop()

    display.start()
    try:
        await county.run(finale)
    finally:
        await display.stop()
