"""Issue 22: the same ``Idempotency-Key`` sent to two instances at once gets the first answer on both.

Two enrollment apps (two instances: each its own engine, pool, relay and consumers) run on one database;
every request goes through their public HTTP API.
"""

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date

import asyncpg
import httpx
import pytest
from idnumbers import make_certno

from medfund_enrollment.main import create_app
from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
ROUNDS = 8
"""Pairs of concurrent first requests: each pair races on its own key."""


def household(serial: int) -> dict:
    return {"admdvs": "500240", "insutype": "390", "year": 2026, "tier": "tier1", "enrolled_on": "2025-10-10",
            "members": [{"certno": make_certno(date(1975, 5, 5), serial, region="500240"), "psn_name": "李四",
                         "gend": "1", "brdy": "1975-05-05", "category": "adult"}]}


@pytest.fixture(scope="module")
async def instances(test_stack, service_database) -> AsyncIterator[tuple[list[httpx.AsyncClient], str]]:
    """Two instances on one database (the second waits for the first request's key only 1 s), and the URL."""
    url = service_database("medfund_enrollment")
    prefix = f"{test_stack.topic_prefix}{secrets.token_hex(3)}."
    settings = [Settings(database_url=url, kafka_bootstrap=test_stack.kafka_bootstrap, topic_prefix=prefix,
                         service_name="enrollment", idempotency_wait_seconds=wait) for wait in (10.0, 1.0)]
    token = issue_token(settings[0], "operator", subject="operator-7")
    async with AsyncExitStack() as stack:
        clients = []
        for each in settings:
            app = create_app(each)
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients.append(await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://enrollment", timeout=60,
                headers={"Authorization": f"Bearer {token}"})))
        yield clients, url.replace("postgresql+asyncpg://", "postgresql://")


async def test_the_same_key_sent_to_two_instances_at_once_gets_the_first_201_on_both(instances):
    (one, two), _ = instances
    for round_ in range(ROUNDS):
        body, headers = household(700 + round_), {"Idempotency-Key": f"pair-{round_}"}
        first, second = await asyncio.gather(one.post("/v1/enrollments", json=body, headers=headers),
                                             two.post("/v1/enrollments", json=body, headers=headers))
        assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
        assert first.json() == second.json()
        person = await one.get("/v1/persons", params={"certno": body["members"][0]["certno"]})
        assert len(person.json()["enrollments"]) == 1


async def test_a_claim_held_by_a_dead_instance_is_released_and_a_held_one_is_refused_after_the_wait(instances):
    (_, two), url = instances
    body, headers = household(760), {"Idempotency-Key": "held-by-another"}
    holder = await asyncpg.connect(url)
    transaction = holder.transaction()
    await transaction.start()
    await holder.execute("INSERT INTO idempotency_keys (scope, key, digest) VALUES ('enrollments', $1, 'x')",
                         headers["Idempotency-Key"])
    waiting = await two.post("/v1/enrollments", json=body, headers=headers)
    assert waiting.status_code == 409, waiting.text
    assert waiting.json()["error"]["code"] == "request_in_progress"
    retry = asyncio.create_task(two.post("/v1/enrollments", json=body, headers=headers))
    holder.terminate()  # the instance holding the claim dies: PostgreSQL rolls its transaction back
    answered = await retry
    assert answered.status_code == 201, answered.text
    replayed = await two.post("/v1/enrollments", json=body, headers=headers)
    assert replayed.json() == answered.json()
