"""The other services' operations views (dead-letter backlog and consumer lag), asked over their admin API.

The console's page talks to the ledger only (one origin, one token in the tab): its server side asks each service
at ``settings.service_urls`` with the admin's own bearer token, so every service still decides who may read it."""

from __future__ import annotations

import asyncio

import httpx
from pydantic import BaseModel, Field, ValidationError

from medfund_shared.operations import DeadLetterBacklog, OperationsView, PartitionLag
from medfund_shared.settings import Settings

OWN_NAME = "ledger"
"""This service's key in ``settings.service_urls``: its view is read from its own database, not over HTTP."""


class ServiceOperations(BaseModel):
    service: str = Field(description="enrollment, billing, adjudication or ledger")
    answered: bool = Field(description="false when the service could not be asked or refused")
    problem: str | None = Field(description="why the service's view is missing (HTTP status or connection error)")
    dead_letters: list[DeadLetterBacklog]
    consumer_lag: list[PartitionLag]
    broker_answered: bool | None = Field(description="the service reached the broker for its end offsets")


async def every_service(own: OperationsView, settings: Settings, authorization: str) -> list[ServiceOperations]:
    """The ledger's own view and each other service's, asked concurrently, in ``settings.service_urls`` order."""
    peers = {name: url for name, url in settings.service_urls.items() if name != OWN_NAME}
    async with httpx.AsyncClient(timeout=settings.peer_timeout_seconds,
                                 headers={"Authorization": authorization}) as client:
        views = await asyncio.gather(*(_ask(client, name, url) for name, url in peers.items()))
    answers = dict(zip(peers, views, strict=True))
    answers[OWN_NAME] = _answered(OWN_NAME, own)
    order = [*settings.service_urls, *([] if OWN_NAME in settings.service_urls else [OWN_NAME])]
    return [answers[name] for name in order]


async def _ask(client: httpx.AsyncClient, name: str, base_url: str) -> ServiceOperations:
    try:
        response = await client.get(f"{base_url.rstrip('/')}/v1/operations")
    except httpx.HTTPError as exc:
        return _missing(name, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if response.status_code != 200:
        return _missing(name, f"HTTP {response.status_code}")
    try:
        return _answered(name, OperationsView.model_validate_json(response.content))
    except ValidationError:
        return _missing(name, "the answer is not an operations view")


def _answered(name: str, view: OperationsView) -> ServiceOperations:
    return ServiceOperations(service=name, answered=True, problem=None, dead_letters=view.dead_letters,
                             consumer_lag=view.consumer_lag, broker_answered=view.broker_answered)


def _missing(name: str, problem: str) -> ServiceOperations:
    return ServiceOperations(service=name, answered=False, problem=problem, dead_letters=[], consumer_lag=[],
                             broker_answered=None)
