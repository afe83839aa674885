"""``up``, ``down`` and ``status`` of a whole local stack: Kafka, PostgreSQL, then the four services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from medfund_deploy import kafka, postgres, services
from medfund_deploy.profiles import SERVICES, Profile
from medfund_deploy.topics import create_topics

Say = Callable[[str], None]


def _started(what: str, started: bool) -> str:
    return f"{what}: {'started' if started else 'already running, reused'}"


def up(profile: Profile, *, infra_only: bool = False, say: Say = print) -> None:
    """Start what is not running yet (idempotent); raise StackError naming the part that failed."""
    say(_started(f"Kafka {profile.kafka_bootstrap}", kafka.start_kafka(profile)))
    say(f"topics: {', '.join(create_topics(profile.kafka_bootstrap))}")
    say(_started(f"PostgreSQL 127.0.0.1:{profile.postgres_port}", postgres.start_postgres(profile)))
    databases = postgres.create_databases(profile)
    say(f"databases: {', '.join(databases)}")
    if infra_only:
        return
    for service, database in zip(SERVICES, databases, strict=True):
        database_url = profile.database_url(database)
        postgres.migrate(services.package(service), database_url)
        started = services.start_service(profile, service, database_url=database_url)
        say(_started(f"{service} {services.url(profile, service)}", started))


def down(profile: Profile, *, say: Say = print) -> None:
    """Stop exactly the processes this launcher started for ``profile``, services first."""
    for service in reversed(SERVICES):
        if services.stop_service(profile, service):
            say(f"{service}: stopped")
    if kafka.stop_kafka(profile):
        say("Kafka: stopped")
    if postgres.stop_postgres(profile):
        say("PostgreSQL: stopped")


@dataclass(frozen=True)
class Row:
    component: str
    state: str
    address: str
    log: str


def status(profile: Profile) -> list[Row]:
    def state(alive: bool) -> str:
        return "running" if alive else "stopped"

    rows = [
        Row("kafka", state(kafka.running(profile) is not None), profile.kafka_bootstrap,
            str(profile.logs_dir / "kafka-server.log")),
        Row("postgres", state(postgres.running(profile)), f"127.0.0.1:{profile.postgres_port}",
            str(profile.logs_dir / "postgres.log")),
    ]
    for service in SERVICES:
        alive = services.running(profile, service) is not None
        label = "ready" if alive and services.ready(profile, service) else state(alive)
        rows.append(Row(service, label, services.url(profile, service), str(services.log_file(profile, service))))
    return rows


def format_status(rows: list[Row]) -> str:
    header = Row("component", "state", "address", "log")
    widths = [max(len(getattr(row, field)) for row in [header, *rows]) for field in ("component", "state", "address")]
    return "\n".join(
        f"{row.component:<{widths[0]}}  {row.state:<{widths[1]}}  {row.address:<{widths[2]}}  {row.log}"
        for row in [header, *rows]
    )
