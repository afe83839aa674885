"""The console's event processing view (admin) gathers every service's dead letters and consumer lag: a poison
record on billing's enrollment topic (the fault being shown: a producer wrote something that is not an event)
appears under billing on the admin's page, next to the ledger's own view, and a service that does not answer is
named with the reason instead of hiding the rest.

Billing runs in-process on its own database and topics; enrollment's URL is a port nobody listens on."""

from __future__ import annotations

import secrets

import httpx
import pytest
from test_console_browser import LAPTOP, browser_page, fund_with_alerts, serious_axe_violations, shot

from medfund_billing.main import definition as billing_definition
from medfund_deploy.evidence import wait_until
from medfund_deploy.instances import free_port
from medfund_deploy.instances import served_in_process as served
from medfund_shared.kafka import ensure_topics
from medfund_shared.service import create_service_app
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration
ENROLLMENT_TOPIC = "medfund.enrollment.v1"


@pytest.fixture
async def billing(test_stack, service_database):
    settings = Settings(database_url=service_database("medfund_billing"), kafka_bootstrap=test_stack.kafka_bootstrap,
                        topic_prefix=f"{test_stack.topic_prefix}{secrets.token_hex(3)}.", service_name="billing")
    await ensure_topics(settings, {ENROLLMENT_TOPIC, "medfund.billing.v1"})
    async with served(create_service_app(billing_definition(), settings)) as url:
        yield settings, url


@pytest.fixture
def ledger_peers(billing) -> dict[str, str]:
    return {"enrollment": f"http://127.0.0.1:{free_port()}", "billing": billing[1]}


async def poison_billing(ledger, billing) -> None:
    """A record that is no CloudEvent on billing's enrollment topic; wait until billing parked it."""
    settings, url = billing
    await ledger.producer.send_and_wait(settings.topic(ENROLLMENT_TOPIC), b"{not an event", key=b"poison")
    headers = {"Authorization": f"Bearer {ledger.token('admin')}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        async def parked() -> bool:
            return bool((await client.get("/v1/operations")).json()["dead_letters"])
        await wait_until(parked, "billing's dead letter", timeout=60)


async def test_the_ledger_gathers_every_services_backlog_and_lag(ledger, billing):
    await poison_billing(ledger, billing)
    operator = {"Authorization": f"Bearer {ledger.token('operator')}"}
    assert (await ledger.client.get("/v1/operations/services", headers=operator)).status_code == 403
    views = (await ledger.client.get("/v1/operations/services")).json()
    assert [(v["service"], v["answered"]) for v in views] == [("enrollment", False), ("billing", True),
                                                              ("ledger", True)]
    assert views[0]["problem"].startswith("ConnectError")
    assert [(d["consumer"], d["unresolved"]) for d in views[1]["dead_letters"]] == [("billing-enrollment", 1)]
    assert [(p["topic"], p["lag"]) for p in views[1]["consumer_lag"]] == \
        [(billing[0].topic(ENROLLMENT_TOPIC), 0)] * len(views[1]["consumer_lag"])
    assert views[1]["consumer_lag"] and views[1]["broker_answered"] is True
    assert views[2]["dead_letters"] == []


async def test_an_admin_sees_another_services_dead_letter_on_the_page(ledger, billing):
    await fund_with_alerts(ledger)
    await poison_billing(ledger, billing)
    async with browser_page(ledger, LAPTOP, role="admin") as page:
        billing_view = page.locator('#operations section[data-service="billing"]')
        await billing_view.locator("tr.dead-letter").wait_for()
        row = await billing_view.locator("tr.dead-letter td").all_inner_texts()
        assert row[:2] == ["billing-enrollment", "1"], row
        assert await page.locator('#operations section[data-service="ledger"] .dead-letters-none').is_visible()
        assert "服务未应答" in await page.locator('#operations section[data-service="enrollment"] .error').inner_text()
        assert await serious_axe_violations(page) == []
        await page.locator("#operations").scroll_into_view_if_needed()
        await shot(page, "operations-1366px")
