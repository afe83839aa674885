"""What a running service holds (engine, sessions, relay) and the FastAPI dependencies to reach it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from medfund_shared.kafka import KafkaProbe
from medfund_shared.outbox import OutboxRelay
from medfund_shared.settings import Settings


@dataclass
class ServiceContext:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    relay: OutboxRelay
    kafka_probe: KafkaProbe
    extras: dict = field(default_factory=dict)
    """Service-specific objects built by on_startup hooks (a policy registry, a broadcaster…)."""
    readiness: dict[str, Callable[[ServiceContext], str | None]] = field(default_factory=dict)
    """The service's own readiness checks (``ServiceDefinition.readiness``): name -> why it is not ready, or None."""
    metric_readers: list[Callable] = field(default_factory=list)
    """Functions reading database figures for ``/metrics`` on each scrape (``medfund_shared.metrics.MetricReader``)."""


async def get_context(request: Request) -> ServiceContext:
    """``async`` on purpose: FastAPI runs plain ``def`` dependencies in a worker thread, a hand-off per request."""
    return request.app.state.context


async def get_session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.context.session_factory


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session per request; the use case commits (outbox rows with the state change), then the relay is nudged."""
    context: ServiceContext = request.app.state.context
    async with context.session_factory() as session:
        yield session
    context.relay.notify()


ContextDep = Annotated[ServiceContext, Depends(get_context)]
SessionFactoryDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
