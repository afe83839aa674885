"""Ports and state folders of the dev and test stacks, so the two never fight over anything."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[2]
STATE_ROOT = REPO_ROOT / ".state"
CACHE_DIR = STATE_ROOT / "cache"
POSTGRES_SOCKETS = STATE_ROOT / "postgres-sockets"
"""The Unix sockets (``.s.PGSQL.<port>``) of every PostgreSQL server the launcher starts. Clients on this machine
connect through them: a statement over TCP on loopback cost its client several times the CPU (the kernel runs
both ends' TCP for every write), about a tenth of a settlement's. A profile sharing another's server (the
security and fuzz stacks) finds its socket here by the port alone."""
_SOCKET_PATH_MAX = 107
"""The longest path a Unix socket address holds (``sun_path``); beyond it, clients use TCP."""

PORT_SHIFT_ENV = "MEDFUND_PORT_SHIFT"
"""Added to every port of every profile: two checkouts of the project (git worktrees, each with its own
``.state``) can then run their stacks and test sessions side by side. Keep shifts small (10, 20, 30) so that
no shifted port meets another profile's."""

SERVICES = ("enrollment", "billing", "adjudication", "ledger")
"""Service names in start order; each has the package ``medfund_<name>`` and database ``medfund_<name>``."""
BROKER_PORT_STRIDE = 1000
"""Broker ``n`` of a cluster listens on the first broker's ports plus ``(n - 1) * 1000``: far enough from every
profile's ports (and from the other nodes) that no ``MEDFUND_PORT_SHIFT`` of 0-80 makes two of them meet, and
below the ephemeral range (32768 and up) for every profile's Kafka port."""


@dataclass(frozen=True)
class Profile:
    name: str
    postgres_port: int
    kafka_port: int
    controller_port: int
    first_service_port: int
    workers: tuple[tuple[str, int], ...] = ()
    """Worker processes per service where not one (``MEDFUND_<SERVICE>_WORKERS`` overrides)."""
    brokers: int = 1
    """Kafka nodes (each a broker and a voter of the KRaft controller quorum). One is the local default; three
    make a cluster that survives the loss of any one node (topics replicated three times, two in sync)."""
    instances: int = 1
    """Separate processes of every service, each on its own port, sharing the databases and the topics (one
    consumer group per consumer, one outbox relay publishing at a time): how production runs several."""

    def shifted(self) -> Profile:
        """This profile with every port moved by ``MEDFUND_PORT_SHIFT`` (0 when unset)."""
        shift = int(os.environ.get(PORT_SHIFT_ENV) or 0)
        return replace(self, postgres_port=self.postgres_port + shift, kafka_port=self.kafka_port + shift,
                       controller_port=self.controller_port + shift,
                       first_service_port=self.first_service_port + shift)

    @property
    def state_dir(self) -> Path:
        return STATE_ROOT / self.name

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    def broker_port(self, node: int) -> int:
        """Client port of Kafka node ``node`` (1-based)."""
        return self.kafka_port + (node - 1) * BROKER_PORT_STRIDE

    def controller_port_of(self, node: int) -> int:
        """Controller-quorum port of Kafka node ``node`` (1-based)."""
        return self.controller_port + (node - 1) * BROKER_PORT_STRIDE

    @property
    def replication_factor(self) -> int:
        """Copies of every partition: one per broker, up to three."""
        return min(self.brokers, 3)

    @property
    def min_insync_replicas(self) -> int:
        """Copies a write with ``acks=all`` needs: a majority of the replicas, so one broker may be down."""
        return self.replication_factor // 2 + 1

    @property
    def kafka_bootstrap(self) -> str:
        """Every broker's address: a client finds the cluster through whichever answers."""
        return ",".join(f"127.0.0.1:{self.broker_port(node)}" for node in range(1, self.brokers + 1))

    def service_port(self, service: str, instance: int = 1) -> int:
        """Port of ``service``'s ``instance`` (1-based): the instances' port blocks follow one another."""
        return self.first_service_port + SERVICES.index(service) + (instance - 1) * len(SERVICES)

    def database_url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        """Through the server's Unix socket (TCP when the socket's path would be too long for one)."""
        if len(str(POSTGRES_SOCKETS / f".s.PGSQL.{self.postgres_port}")) > _SOCKET_PATH_MAX:
            return f"{driver}://medfund@127.0.0.1:{self.postgres_port}/{database}"
        return f"{driver}://medfund@/{database}?host={quote(str(POSTGRES_SOCKETS))}&port={self.postgres_port}"


PROFILES = {
    # The gateway's hot path takes most of a core: two processes let it use both cores under load. Test stacks
    # keep one process per service (a fault test kills a service by its pid).
    "dev": Profile("dev", postgres_port=25432, kafka_port=9092, controller_port=9093, first_service_port=8001,
                   workers=(("adjudication", 2),)).shifted(),
    "test": Profile("test", postgres_port=26432, kafka_port=19092, controller_port=19093,
                    first_service_port=18001).shifted(),
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None
