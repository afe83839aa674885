"""Real PostgreSQL + Kafka from the deploy plugin; each test gets its own topic prefix and databases."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from medfund_shared.db import create_engine, create_session_factory
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def topic_settings(test_stack) -> Callable[[str], Settings]:
    """``make(database_url)``: settings on the test stack with a topic prefix unique to this test."""
    prefix = f"{test_stack.topic_prefix}{secrets.token_hex(3)}."

    def make(database_url: str, service_name: str = "test") -> Settings:
        return Settings(database_url=database_url, kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=prefix, service_name=service_name)

    return make


@pytest.fixture
async def database(service_database) -> AsyncIterator[Callable[[str], tuple[str, AsyncEngine, async_sessionmaker]]]:
    """``make(package)``: a fresh migrated database with an engine on it, disposed after the test."""
    engines: list[AsyncEngine] = []

    def make(package: str):
        url = service_database(package)
        engine = create_engine(Settings(database_url=url))
        engines.append(engine)
        return url, engine, create_session_factory(engine)

    yield make
    for engine in engines:
        await engine.dispose()

