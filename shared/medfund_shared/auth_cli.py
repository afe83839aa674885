"""``medfund token``: a bearer token signed with the local stack's secret, for curl and the docs UI."""

from __future__ import annotations

from datetime import timedelta

import typer

from medfund_shared.auth import ROLES, TokenRequestError, issue_token
from medfund_shared.settings import Settings


def token(
    role: str = typer.Option(..., "--role", help=f"one of {', '.join(ROLES)}"),
    fixmedins: str | None = typer.Option(None, "--fixmedins", help="hospital code, required for --role his"),
    tax_office: str | None = typer.Option(None, "--tax-office", help="tax office code, required for --role tax"),
    hours: int = typer.Option(12, "--hours", min=1, help="validity"),
) -> None:
    """Print a JWT signed with MEDFUND_JWT_SECRET (or the documented dev secret)."""
    try:
        typer.echo(issue_token(Settings(), role, fixmedins, tax_office, ttl=timedelta(hours=hours)))
    except TokenRequestError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
