"""Every service starts on a fresh database and serves the platform routes the same way.

The start-up heap frozen and young collections made rarer; health and readiness, the dead-letter list
behind a staff token, the operations view (backlog and lag) behind an admin's, correlation ids echoed,
oversized bodies refused with 413, bad query values with the one error shape, and Prometheus metrics.
"""

from __future__ import annotations

import gc
import importlib

import httpx
import pytest

from medfund_deploy.profiles import SERVICES
from medfund_shared.auth import issue_token
from medfund_shared.service import YOUNG_COLLECTION_EVERY, create_service_app
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", SERVICES)
async def test_the_service_starts_migrated_and_ready(service, service_database, test_stack):
    package = f"medfund_{service}"
    definition = importlib.import_module(f"{package}.main").definition()
    settings = Settings(database_url=service_database(package), kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}routes.", service_name=definition.name)
    app = create_service_app(definition, settings)
    gc.set_threshold(700, 10, 10)
    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, 10, 10) and gc.get_freeze_count() > 0
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert (await client.get("/v1/dead-letters")).status_code == 401
            staff = {"Authorization": f"Bearer {issue_token(settings, 'operator')}"}
            listed = await client.get("/v1/dead-letters", headers={**staff, "X-Correlation-ID": "c-1"})
            assert listed.status_code == 200 and listed.json() == []
            assert listed.headers["x-correlation-id"] == "c-1"
            too_big = await client.post("/v1/dead-letters", content=b"x" * (2 << 20))
            assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"
            bad = await client.get("/v1/dead-letters?limit=0", headers=staff)
            assert bad.status_code == 422 and bad.json()["error"] == {"code": "invalid", "field": "limit",
                                                                      "message": bad.json()["error"]["message"]}
            assert (await client.get("/v1/operations", headers=staff)).status_code == 403
            admin = {"Authorization": f"Bearer {issue_token(settings, 'admin')}"}
            operations = (await client.get("/v1/operations", headers=admin)).json()
            assert (operations["service"], operations["dead_letters"]) == (definition.name, [])
            assert all(lag["lag"] is not None for lag in operations["consumer_lag"]) and operations["broker_answered"]
            assert "medfund_http_requests_total" in (await client.get("/metrics")).text
