"""The adjudication service's simulations (测算, docs/simulations.md), asked for the console's What-if page.

The page talks to the ledger only (one origin, one token in the tab, as for the operations view): the ledger's server
side forwards the request to ``settings.service_urls["adjudication"]`` with the operator's own bearer token, so
adjudication still decides who may simulate and validates the pack exactly as it validates a shipped one."""

from __future__ import annotations

from typing import Any

import httpx

from medfund_shared.errors import ApiError
from medfund_shared.settings import Settings

ADJUDICATION = "adjudication"
"""The adjudication service's key in ``settings.service_urls``."""


async def ask_adjudication(settings: Settings, authorization: str, method: str, path: str,
                           body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """Adjudication's status and JSON answer to ``method path``; 503 when it is not configured or not reachable."""
    base = settings.service_urls.get(ADJUDICATION)
    if not base:
        raise ApiError(503, "unavailable", "the adjudication service's address is not configured "
                                           "(MEDFUND_SERVICE_URLS)")
    url = f"{base.rstrip('/')}{path}"
    try:
        async with httpx.AsyncClient(timeout=settings.peer_timeout_seconds,
                                     headers={"Authorization": authorization}) as client:
            response = await client.request(method, url, json=body)
    except httpx.HTTPError as exc:
        raise ApiError(503, "unavailable", f"adjudication unreachable at {base}: {type(exc).__name__}") from exc
    try:
        return response.status_code, response.json()
    except ValueError:
        raise ApiError(502, "bad_gateway", f"adjudication answered HTTP {response.status_code} without JSON") from None
