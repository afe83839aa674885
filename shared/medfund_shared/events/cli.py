"""``medfund events``: publish or check the AsyncAPI document of the event types."""

import typer

from medfund_shared.events import schema

app = typer.Typer(help="Event contracts.", no_args_is_help=True)


@app.command("schema")
def schema_command(
    check: bool = typer.Option(False, "--check", help="fail if the checked-in document is stale"),
) -> None:
    """Regenerate events/schema/asyncapi.json from the registered models."""
    if check:
        if not schema.is_current():
            typer.echo(f"{schema.DOCUMENT_PATH} is out of date; run `medfund events schema`", err=True)
            raise typer.Exit(1)
        typer.echo("asyncapi.json is current")
        return
    typer.echo(f"wrote {schema.write()}")
