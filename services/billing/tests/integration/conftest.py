"""A billing service per test: fresh database, its own topic prefix, the app running in-process."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from medfund_billing.main import definition
from medfund_shared.kafka import ensure_topics
from medfund_shared.service import create_service_app
from medfund_shared.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))

from billing_testkit import BILLING, ENROLLMENT, BillingUnderTest  # noqa: E402


@pytest.fixture
async def billing(service_database, test_stack) -> AsyncIterator[BillingUnderTest]:
    settings = Settings(database_url=service_database("medfund_billing"), kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="billing")
    await ensure_topics(settings, {ENROLLMENT, BILLING})
    app = create_service_app(definition(), settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://billing",
                                     timeout=120) as client:
            yield BillingUnderTest(client, settings, app)
