"""``medfund ledger rebuild`` and ``medfund alerts list``: operator commands of the fund ledger."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Annotated

import typer

from medfund_ledger.domain.alerts import State
from medfund_shared.db import scratch_database
from medfund_shared.settings import load_settings

ledger_app = typer.Typer(help="Fund ledger: rebuild and compare the projections.", no_args_is_help=True)
alerts_app = typer.Typer(help="Fund alerts.", no_args_is_help=True)


@ledger_app.command("rebuild")
def rebuild_command(
    database_url: str = typer.Option(None, help="the live ledger database (default: MEDFUND_DATABASE_URL)"),
    keep: bool = typer.Option(False, help="keep the rebuilt database instead of dropping it (as it was loaded: its "
                                          "tables unlogged, which a server crash empties)"),
) -> None:
    """Replay the topics into a fresh database and compare it with the live projection."""
    from medfund_ledger.adapters.rebuild import rebuild

    settings = load_settings("fund-ledger")
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    name = f"medfund_ledger_rebuild_{secrets.token_hex(4)}"

    async def run():
        async with scratch_database(settings.database_url, name, keep=keep) as target:
            return await rebuild(settings, target)

    result = asyncio.run(run())
    typer.echo(result.summary())
    if keep:
        typer.echo(f"kept the rebuilt database {name}")
    for label, items in (("missing", result.missing), ("extra", result.extra), ("different", result.different),
                         ("balance", result.balance_differences)):
        for item in items[:20]:
            typer.echo(f"  {label}: {item}")
    raise typer.Exit(0 if result.equal else 1)


@alerts_app.command("list")
def list_command(state: Annotated[State | None, typer.Option(
        help="firing (not resolved: acknowledged ones too), acknowledged or resolved")] = None) -> None:
    """Print the stored alerts as JSON lines, newest first; another --state is refused (exit 2)."""
    from medfund_ledger.adapters import alert_store
    from medfund_ledger.api.presenters import alert_json
    from medfund_shared.db import create_engine, create_session_factory

    async def run():
        engine = create_engine(load_settings("fund-ledger"))
        try:
            async with create_session_factory(engine)() as session:
                return [alert_json(r) for r in await alert_store.listing(session, state)]
        finally:
            await engine.dispose()

    for alert in asyncio.run(run()):
        typer.echo(json.dumps(alert, ensure_ascii=False))


@alerts_app.command("tail")
def tail_command(
    bootstrap: str = typer.Option(None, help="Kafka bootstrap servers (default: MEDFUND_KAFKA_BOOTSTRAP)"),
    from_beginning: bool = typer.Option(False, "--from-beginning", help="first the alert changes already on the topic"),
    seconds: float = typer.Option(None, help="stop after this many seconds (default: until Ctrl-C)"),
) -> None:
    """Print each alert change from the alerts topic (MEDFUND_TOPIC_PREFIX applies) as it arrives."""
    from medfund_ledger.alerts_tail import run

    run(bootstrap, from_beginning, seconds)
