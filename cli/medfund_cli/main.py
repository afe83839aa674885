"""The `medfund` command: one entry point; each group lives in the package that owns it."""

import typer

app = typer.Typer(help="medfund: settlement platform for basic medical insurance.", no_args_is_help=True)
