"""The fund ledger's ``POST /v1/pools/{pool_id}/what-if`` over its public API, asked with the caller's own bearer
token (the ledger decides who may read it), at ``settings.service_urls["ledger"]``."""

from __future__ import annotations

from datetime import date

import httpx

from medfund_shared.money import Money

LEDGER = "ledger"


class LedgerUnavailable(Exception):
    """The ledger could not be asked or refused: the reason is the message."""


class FundLedgerClient:
    def __init__(self, base_url: str | None, authorization: str, timeout: float) -> None:
        self._base_url, self._authorization, self._timeout = base_url, authorization, timeout

    async def pool_what_if(self, pool_id: str, as_of: date, change: dict[str, Money]) -> dict | None:
        """The ledger's answer; None when the ledger has no such pool."""
        if not self._base_url:
            raise LedgerUnavailable(f"no fund ledger URL configured (service_urls[{LEDGER!r}])")
        url = f"{self._base_url.rstrip('/')}/v1/pools/{pool_id}/what-if"
        body = {"as_of": as_of.isoformat(), "expenditure_change": {m: v.to_yuan() for m, v in change.items()}}
        try:
            async with httpx.AsyncClient(timeout=self._timeout,
                                         headers={"Authorization": self._authorization}) as client:
                response = await client.post(url, json=body)
        except httpx.HTTPError as exc:
            raise LedgerUnavailable(f"fund ledger unreachable at {self._base_url}: {type(exc).__name__}"
                                    + (f": {exc}" if str(exc) else "")) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise LedgerUnavailable(f"fund ledger answered HTTP {response.status_code} for {pool_id}")
        return response.json()
