"""``medfund stack up|down|status``: the local stack from one command."""

from __future__ import annotations

from dataclasses import replace

import typer

from medfund_deploy import stack
from medfund_deploy.errors import StackError
from medfund_deploy.profiles import PROFILES, Profile, get_profile

app = typer.Typer(help="Start, stop and inspect the local stack (Kafka, PostgreSQL, the four services).",
                  no_args_is_help=True)

ProfileOption = typer.Option("dev", "--profile", help=f"which stack: {' | '.join(PROFILES)}")
BrokersOption = typer.Option(1, "--brokers", min=1, max=3,
                             help="Kafka nodes: 3 starts a KRaft cluster (replication factor 3, min.insync.replicas 2)")
InstancesOption = typer.Option(1, "--instances", min=1, max=4,
                               help="processes of every service, each on its own port, sharing its database and topics")


def _sized(profile: str, brokers: int, instances: int) -> Profile:
    return replace(get_profile(profile), brokers=brokers, instances=instances)


def _fail(error: StackError) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1)


@app.command()
def up(profile: str = ProfileOption,
       infra_only: bool = typer.Option(False, "--infra-only", help="only Kafka and PostgreSQL"),
       brokers: int = BrokersOption, instances: int = InstancesOption) -> None:
    """Start whatever is not running yet and wait until it is ready."""
    try:
        stack.up(_sized(profile, brokers, instances), infra_only=infra_only, say=typer.echo)
    except StackError as error:
        _fail(error)


@app.command()
def down(profile: str = ProfileOption) -> None:
    """Stop the processes this launcher started, and nothing else."""
    try:
        stack.down(get_profile(profile), say=typer.echo)
    except StackError as error:
        _fail(error)


@app.command()
def status(profile: str = ProfileOption, brokers: int = BrokersOption, instances: int = InstancesOption) -> None:
    """One line per component: state, address, log file."""
    typer.echo(stack.format_status(stack.status(_sized(profile, brokers, instances))))
