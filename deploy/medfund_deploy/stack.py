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
    topics = create_topics(profile.kafka_bootstrap, "", profile.replication_factor, profile.min_insync_replicas)
    say(f"topics: {', '.join(topics)} (replication factor {profile.replication_factor}, "
        f"min.insync.replicas {profile.min_insync_replicas})")
    say(_started(f"PostgreSQL 127.0.0.1:{profile.postgres_port}", postgres.start_postgres(profile)))
    databases = postgres.create_databases(profile)
    say(f"databases: {', '.join(databases)}")
    if infra_only:
        return
    for service, database in zip(SERVICES, databases, strict=True):
        database_url = profile.database_url(database)
        postgres.migrate(services.package(service), database_url)
        for instance in range(1, profile.instances + 1):
            started = services.start_service(profile, service, database_url=database_url, instance=instance)
            say(_started(f"{service} {services.url(profile, service, instance)}", started))


def down(profile: Profile, *, say: Say = print) -> None:
    """Stop exactly the processes this launcher started for ``profile``, services first (every instance, every
    Kafka node, however many were started)."""
    for service in reversed(SERVICES):
        if services.stop_every_instance(profile, service):
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
        Row("kafka" if profile.brokers == 1 else f"kafka node {node}", state(kafka.running(profile, node) is not None),
            f"127.0.0.1:{profile.broker_port(node)}", str(kafka.server_log(profile, node)))
        for node in range(1, profile.brokers + 1)
    ]
    rows.append(Row("postgres", state(postgres.running(profile)), f"127.0.0.1:{profile.postgres_port}",
                    str(profile.logs_dir / "postgres.log")))
    for service in SERVICES:
        for instance in range(1, profile.instances + 1):
            alive = services.running(profile, service, instance) is not None
            label = "ready" if alive and services.ready(profile, service, instance) else state(alive)
            name = service if profile.instances == 1 else f"{service} #{instance}"
            rows.append(Row(name, label, services.url(profile, service, instance),
                            str(services.log_file(profile, service, instance))))
    return rows


def format_status(rows: list[Row]) -> str:
    header = Row("component", "state", "address", "log")
    widths = [max(len(getattr(row, field)) for row in [header, *rows]) for field in ("component", "state", "address")]
    return "\n".join(
        f"{row.component:<{widths[0]}}  {row.state:<{widths[1]}}  {row.address:<{widths[2]}}  {row.log}"
        for row in [header, *rows]
    )
