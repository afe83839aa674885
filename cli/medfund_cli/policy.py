"""`medfund policy`: check a pack file before an operator installs it, and show the pack in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import yaml

from medfund_shared.policy.loader import PolicyPackError, load_pack
from medfund_shared.policy.pack_set import NoPackInForce, PackSet
from medfund_shared.policy.schema import PolicyPack

app = typer.Typer(help="Policy packs: validate a pack file, show the pack in force.", no_args_is_help=True)


def _header(pack: PolicyPack) -> str:
    return f"{pack.pack_id}  version {pack.version}  sha256 {pack.content_hash}"


@app.command()
def check(file: Annotated[Path, typer.Argument(help="the pack file to validate")]) -> None:
    """Validate one pack file; print its id, version and hash, or the field that is wrong (exit 1)."""
    try:
        pack = load_pack(file)
    except PolicyPackError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"ok  {_header(pack)}")


def _business_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text!r}") from exc


@app.command()
def show(
    admdvs: Annotated[str, typer.Argument(help="region code, e.g. 500240")],
    on: Annotated[str, typer.Argument(metavar="DATE", help="business date, YYYY-MM-DD")],
    insutype: Annotated[str, typer.Option(help="scheme: 390 resident, 310 employee")] = "390",
    packs_dir: Annotated[Path | None, typer.Option(help="operators' extra packs folder")] = None,
) -> None:
    """Print the pack in force for a region and scheme on a date."""
    try:
        pack = PackSet.load(packs_dir).in_force(admdvs, insutype, _business_date(on))
    except (PolicyPackError, NoPackInForce) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"# {_header(pack)}")
    typer.echo(yaml.safe_dump(pack.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False))
