"""The adjudication app in-process on the session's database and topics."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import httpx
import pytest

from medfund_adjudication.main import definition
from medfund_shared.service import create_service_app
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))

from adjudication_gateway import Gateway  # noqa: E402


@pytest.fixture(scope="session")
def adjudication_settings(service_database, test_stack) -> Settings:
    return Settings(database_url=service_database("medfund_adjudication"), kafka_bootstrap=test_stack.kafka_bootstrap,
                    topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="adjudication")


@pytest.fixture
async def gateway(adjudication_settings):
    app = create_service_app(definition(), adjudication_settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc",
                                     timeout=30) as client:
            yield Gateway(client, adjudication_settings)
