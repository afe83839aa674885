"""Limits per token, per institution and on failed authentication: 429 with Retry-After, from settings."""

import httpx
from fastapi import APIRouter

from medfund_shared.auth import CurrentPrincipal, issue_token
from medfund_shared.rate_limit import RequestLimits
from medfund_shared.service import ServiceDefinition, create_service_app
from medfund_shared.settings import Settings

LOW = Settings(rate_limit_token_per_second=1, rate_limit_token_burst=3, rate_limit_institution_per_second=1,
               rate_limit_institution_burst=4, auth_failure_burst=3, auth_failures_per_second=1)


def _client(settings: Settings = LOW) -> httpx.AsyncClient:
    router = APIRouter()

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> dict:
        return {"role": principal.role}

    app = create_service_app(ServiceDefinition(name="limits", package="medfund_shared", routers=[router]))
    app.state.settings, app.state.limits = settings, RequestLimits(settings)  # what the lifespan sets
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_over_its_rate_gets_429_with_retry_after():
    token = _bearer(issue_token(LOW, "operator"))
    async with _client() as client:
        statuses = [(await client.get("/me", headers=token)).status_code for _ in range(3)]
        refused = await client.get("/me", headers=token)
        other = await client.get("/me", headers=_bearer(issue_token(LOW, "admin")))
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "rate_limited" and refused.headers["x-correlation-id"]
    assert other.status_code == 200


async def test_an_institution_over_its_rate_gets_429_whichever_of_its_tokens_it_uses():
    tokens = [_bearer(issue_token(LOW, "his", fixmedins_code="H1", subject=f"cashier-{n}")) for n in range(3)]
    async with _client() as client:
        statuses = [(await client.get("/me", headers=tokens[n % 3])).status_code for n in range(5)]
        another_hospital = await client.get("/me", headers=_bearer(issue_token(LOW, "his", fixmedins_code="H2")))
    assert statuses == [200, 200, 200, 200, 429]
    assert another_hospital.status_code == 200


async def test_repeated_failed_authentication_is_refused_before_any_token_is_read():
    async with _client() as client:
        failures = [(await client.get("/me", headers=_bearer(f"guess-{n}"))).status_code for n in range(3)]
        braked = await client.get("/me", headers=_bearer(issue_token(LOW, "admin")))
    assert failures == [401, 401, 401]
    assert braked.status_code == 429 and braked.json()["error"]["code"] == "too_many_failed_authentications"
    assert int(braked.headers["retry-after"]) >= 1


def test_the_defaults_leave_room_for_the_bench_and_the_test_suites():
    defaults = Settings()
    assert defaults.rate_limit_token_per_second >= 2000 and defaults.rate_limit_institution_per_second >= 2000
    assert defaults.auth_failure_burst >= 500
