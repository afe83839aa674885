"""``medfund settlement verify SETL_ID``: a recorded settlement computed again by the adjudication service."""

from __future__ import annotations

import httpx
import typer

from medfund_deploy.profiles import get_profile
from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

app = typer.Typer(help="Settlements: prove a recorded settlement by computing it again.", no_args_is_help=True)


def adjudication_url() -> str:
    return f"http://127.0.0.1:{get_profile('dev').shifted().service_port('adjudication')}"


def staff_headers() -> dict[str, str]:
    """An operator's token signed with the local stack's secret (``medfund token``'s)."""
    return {"Authorization": f"Bearer {issue_token(Settings(), 'operator', subject='medfund-cli')}"}


@app.command("verify")
def verify(
    setl_id: str = typer.Argument(..., help="the settlement's setl_id"),
    url: str = typer.Option(None, help="the adjudication service (default: the dev stack's)"),
) -> None:
    """Replay the settlement from its stored inputs; exit 0 when EQUAL, 1 when different, 2 when refused."""
    response = httpx.get(f"{(url or adjudication_url()).rstrip('/')}/v1/settlements/{setl_id}/replay",
                         headers=staff_headers(), timeout=30)
    body = response.json()
    if response.status_code != 200:
        typer.echo(f"error: {body.get('error', {}).get('message', response.text)}", err=True)
        raise typer.Exit(2)
    receipt = body["receipt"]
    typer.echo(f"{body['setl_id']}: {body['verdict']} ({body['fields_compared']} fields, "
               f"{body['differences']} different) under pack {body['pack_id']} v{body['pack_version']}, "
               f"{body['engine_version']}")
    typer.echo(f"  receipt {receipt['recorded']}" + ("" if receipt["equal"] else f" != {receipt['replayed']}"))
    for field in body["fields"]:
        if not field["equal"]:
            typer.echo(f"  {field['field']}: recorded {field['recorded']}, replayed {field['replayed']}")
    raise typer.Exit(0 if body["verdict"] == "EQUAL" else 1)
