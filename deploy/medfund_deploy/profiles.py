"""Ports and state folders of the dev and test stacks, so the two never fight over anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STATE_ROOT = REPO_ROOT / ".state"
CACHE_DIR = STATE_ROOT / "cache"

SERVICES = ("enrollment", "billing", "adjudication", "ledger")
"""Service names in start order; each has the package ``medfund_<name>`` and database ``medfund_<name>``."""


@dataclass(frozen=True)
class Profile:
    name: str
    postgres_port: int
    kafka_port: int
    controller_port: int
    first_service_port: int
    workers: tuple[tuple[str, int], ...] = ()
    """Worker processes per service where not one (``MEDFUND_<SERVICE>_WORKERS`` overrides)."""

    @property
    def state_dir(self) -> Path:
        return STATE_ROOT / self.name

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    def service_port(self, service: str) -> int:
        return self.first_service_port + SERVICES.index(service)

    def database_url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://medfund@127.0.0.1:{self.postgres_port}/{database}"


PROFILES = {
    # The gateway's hot path takes most of a core: two processes let it use both cores under load. Test stacks
    # keep one process per service (a fault test kills a service by its pid).
    "dev": Profile("dev", postgres_port=25432, kafka_port=9092, controller_port=9093, first_service_port=8001,
                   workers=(("adjudication", 2),)),
    "test": Profile("test", postgres_port=26432, kafka_port=19092, controller_port=19093, first_service_port=18001),
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None
