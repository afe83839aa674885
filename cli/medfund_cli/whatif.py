"""``medfund whatif --region R --year Y --pack FILE``: a simulation on the running stack, with a progress bar,
a table per fund and an HTML report with charts (and, with ``--png DIR``, the charts as PNG files)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from medfund_cli.settlement import adjudication_url, staff_headers
from medfund_cli.whatif_png import write_pngs
from medfund_cli.whatif_report import POOL_HEADERS, pool_rows, render
from medfund_shared.policy.loader import PolicyPackError, json_numbers, load_pack_document

POLL_SECONDS = 0.5
DEFAULT_REPORT = Path("whatif-report.html")


def whatif(
    region: Annotated[str, typer.Option("--region", help="the region (admdvs) whose recorded year is replayed")],
    year: Annotated[int, typer.Option("--year", help="the insurance year replayed")],
    pack: Annotated[Path, typer.Option("--pack", help="the candidate pack, a YAML file like the shipped ones")],
    share_rise: str = typer.Option("0.00", help="list the people whose annual share rises by more (yuan)"),
    report: Annotated[Path, typer.Option(help="where to write the HTML report")] = DEFAULT_REPORT,
    url: str = typer.Option(None, help="the adjudication service (default: the dev stack's)"),
    png: Annotated[Path | None, typer.Option("--png", help="also write the report's charts as PNG files in "
                                             "this directory")] = None,
) -> None:
    """Replay the region's year under the candidate pack; exit 2 when the pack or the request is refused."""
    try:
        document = load_pack_document(pack)
    except PolicyPackError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    base = (url or adjudication_url()).rstrip("/")
    with httpx.Client(base_url=base, headers=staff_headers(), timeout=30) as http:
        started = http.post("/v1/simulations", json={"admdvs": region, "year": year, "share_rise": share_rise,
                                                     "pack": json_numbers(document)})
        if started.status_code != 202:
            typer.echo(f"error: {started.json().get('error', {}).get('message', started.text)}", err=True)
            raise typer.Exit(2)
        simulation_id = started.json()["simulation_id"]
        with Progress(transient=True) as progress:
            bar = progress.add_task(f"replaying {region} {year}", total=None)
            while (state := http.get(f"/v1/simulations/{simulation_id}").json())["status"] not in ("done", "failed"):
                progress.update(bar, completed=state["progress"]["processed"], total=state["progress"]["total"])
                time.sleep(POLL_SECONDS)
    if state["status"] == "failed":
        typer.echo(f"error: the simulation failed: {state['error']}", err=True)
        raise typer.Exit(1)
    result = state["result"]
    table = Table(title=f"{region} {year}: recorded against candidate {result['pack_id']}")
    for column in ("fund", "actual", "candidate", "difference"):
        table.add_column(column, justify="right")
    for row in result["fund"]:
        table.add_row(row["key"], row["actual"], row["candidate"], row["difference"])
    Console().print(table)
    pools = result.get("pools")
    if pools and pools["available"]:
        funds = Table(title=f"the funds at {pools['as_of']}")
        for column in POOL_HEADERS:
            funds.add_column(column, justify="right")
        for row in pool_rows(pools):
            funds.add_row(*row)
        Console().print(funds)
    elif pools:
        typer.echo(f"the funds: not available ({pools['reason']})")
    typer.echo(f"{result['settlements']} settlements, {result['reversed']} reversed, "
               f"{result['refused']['count']} refused; {result['out_of_pocket']['rises']['count']} people's share "
               f"rises by more than {share_rise}; {result['out_of_pocket']['newly_catastrophic']['count']} newly "
               "reach the catastrophic layer")
    report.write_text(render(f"What if: {region} {year} under {pack.name}", result), encoding="utf-8")
    typer.echo(f"report: {report}")
    if png is not None:
        typer.echo(f"charts: {', '.join(str(path) for path in write_pngs(result, png))}")
