"""Service settings from ``MEDFUND_*`` environment variables; the one place configuration is read."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "medfund-dev-secret-not-for-production-use-0123456789"
"""The documented development signing key; production refuses to start with it."""
DEV_CREDENTIALS_KEY = "bWVkZnVuZC1kZXYtY3JlZGVudGlhbHMta2V5LTAxMjM="
"""The documented development key (Fernet) that encrypts hospitals' gateway passtokens at rest; adjudication
refuses to start with it in production."""


class InsecureSettingsError(RuntimeError):
    """Production configured with a development default."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDFUND_", extra="ignore")

    env: Literal["development", "production"] = "development"
    jwt_secret: str = DEV_JWT_SECRET
    database_url: str = ""
    db_pool_size: int = 20
    """PostgreSQL connections a process may hold; opened when first needed."""
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = ""
    log_level: str = "INFO"
    service_name: str = "medfund"
    credentials_key: str = DEV_CREDENTIALS_KEY
    """Fernet key (url-safe base64 of 32 bytes) encrypting the institutions' gateway passtokens."""
    signature_window_seconds: int = 300
    """How far a signed gateway request's ``x-tif-timestamp`` may be from now; nonces are remembered this long."""
    rate_limit_token_per_second: int = Field(default=5000, ge=1)
    """Requests per second one bearer token (or one signing paasid) may sustain, per instance."""
    rate_limit_token_burst: int = Field(default=10_000, ge=1)
    rate_limit_institution_per_second: int = Field(default=10_000, ge=1)
    """Requests per second for one institution (fixmedins_code), all its tokens together, per instance."""
    rate_limit_institution_burst: int = Field(default=20_000, ge=1)
    auth_failure_burst: int = Field(default=500, ge=1)
    """Failed authentications a client address (or a paasid) may make at once, per instance; then it waits."""
    auth_failures_per_second: int = Field(default=5, ge=1)
    """How fast a throttled source earns back one more attempt."""
    idempotency_wait_seconds: float = Field(default=10.0, gt=0)
    """How long a request waits for a concurrent request with the same idempotency key to be answered before
    it is told to retry (409 ``request_in_progress``)."""
    batch_lease_seconds: float = Field(default=30, gt=0)
    """How long a file batch stays its owner's without a heartbeat: a crashed owner's batch is taken over after this."""
    batch_heartbeat_seconds: float = Field(default=5, gt=0)
    """How often the owner of a batch renews its lease (well under ``batch_lease_seconds``)."""
    batch_poll_seconds: float = Field(default=2, gt=0)
    """How often an idle instance looks for a batch without a live owner."""
    service_urls: dict[str, str] = Field(default_factory=dict)
    """Each service's base URL by name (``MEDFUND_SERVICE_URLS``, a JSON object: enrollment, billing, adjudication,
    ledger): the ledger's console gathers the other services' operations views through them. The launcher and the
    compose file set it; unset, the console shows the ledger's own view only."""
    simulation_age_bands: tuple[int, ...] = (18, 45, 60, 70)
    """Where a simulation's age bands start (``MEDFUND_SIMULATION_AGE_BANDS``): 0-17, 18-44, 45-59, 60-69, 70+."""
    simulation_shards: int = Field(default=2, ge=1, le=64)
    """Processes a simulation's replay runs in (``MEDFUND_SIMULATION_SHARDS``), each replaying the people of one
    shard (a hash of ``psn_no``), at low priority; the default is this machine's 2 cores."""
    peer_timeout_seconds: float = Field(default=5.0, gt=0)
    """How long the ledger waits for another service's operations view before showing it as not answering."""
    outbox_batch_rows: int = Field(default=5000, ge=1)
    """Outbox rows the relay reads, sends and marks at a time (``MEDFUND_OUTBOX_BATCH_ROWS``): a bulk file's chunk
    queues thousands of events at once."""
    outbox_batch_window_seconds: float = Field(default=0.05, ge=0)
    """After a batch the relay starts the next no sooner than this after the last one started, so under load one
    read, one produce request and one update carry many rows (``MEDFUND_OUTBOX_BATCH_WINDOW_SECONDS``)."""
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    """How late the relay sees rows committed by another process (a commit in its own process wakes it at once)."""
    outbox_max_backoff_seconds: float = Field(default=5.0, gt=0)
    """The longest the relay waits before retrying after a failure (the wait doubles from 0.1 s up to this)."""

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> Settings:
        if self.batch_heartbeat_seconds >= self.batch_lease_seconds:
            raise ValueError("batch_heartbeat_seconds must be shorter than batch_lease_seconds")
        return self

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        """Dev default ``medfund_<last word of the service name>``: fund-ledger uses ``medfund_ledger``."""
        if not self.database_url:
            database = "medfund_" + self.service_name.split("-")[-1]
            self.database_url = f"postgresql+asyncpg://medfund@127.0.0.1:25432/{database}"
        return self

    def topic(self, name: str) -> str:
        """The real topic name: tests isolate themselves with a prefix."""
        return f"{self.topic_prefix}{name}"

    def consumer_group(self, name: str) -> str:
        """The Kafka consumer group: prefixed like topics, so isolated test sessions never share a group."""
        return f"{self.topic_prefix}{name}"

    def validate_credentials_key(self) -> None:
        """Refuse to run production with the published development credentials key (adjudication holds passtokens)."""
        if self.env == "production" and self.credentials_key == DEV_CREDENTIALS_KEY:
            raise InsecureSettingsError("MEDFUND_CREDENTIALS_KEY must be set to a private Fernet key in production")

    def validate_for_production(self) -> None:
        """Refuse to run production with the published development secret."""
        if self.env == "production" and (self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32):
            raise InsecureSettingsError(
                "MEDFUND_JWT_SECRET must be set to a private key of 32+ characters in production")


def load_settings(service_name: str) -> Settings:
    """Settings for one service (its name picks the default database ``medfund_<name>``)."""
    return Settings(service_name=service_name)
