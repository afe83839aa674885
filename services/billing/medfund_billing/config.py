"""Billing's own settings (``MEDFUND_*`` environment variables), beside the platform's."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDFUND_BILLING_", extra="ignore")

    tax_office_timezone: str = "Asia/Shanghai"
    """Local time of the tax offices: reconciliation days are calendar days in this zone."""
    batch_chunk_lines: int = Field(default=2000, ge=1)
    """Lines applied per database transaction when processing a file."""
    policy_dir: Path | None = None
    """Extra policy packs an operator added beside the shipped ones."""
    upload_max_bytes: int = Field(default=1 << 30, ge=1)
    """The largest tax-bureau file accepted (1 GiB: several million lines); counted while it streams in, so a
    larger one is refused with 413 as soon as it passes the cap, and nothing of it is kept."""
    concurrent_uploads: int = Field(default=4, ge=1)
    """Files one instance receives at once; one more is answered 429 with ``Retry-After``."""
    upload_retry_after_seconds: int = Field(default=5, ge=1)
    """The ``Retry-After`` of that 429."""

    @property
    def office_zone(self) -> ZoneInfo:
        return ZoneInfo(self.tax_office_timezone)
