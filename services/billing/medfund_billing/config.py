"""Billing's own settings (``MEDFUND_*`` environment variables), beside the platform's."""

from __future__ import annotations

import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDFUND_BILLING_", extra="ignore")

    tax_office_timezone: str = "Asia/Shanghai"
    """Local time of the tax offices: reconciliation days are calendar days in this zone."""
    spool_dir: Path = Field(default_factory=lambda: Path(tempfile.gettempdir()) / "medfund-billing-spool")
    """Where uploaded files wait to be processed (kept until their batch is done)."""
    batch_chunk_lines: int = Field(default=2000, ge=1)
    """Lines applied per database transaction when processing a file."""
    policy_dir: Path | None = None
    """Extra policy packs an operator added beside the shipped ones."""

    @property
    def office_zone(self) -> ZoneInfo:
        return ZoneInfo(self.tax_office_timezone)
