"""Every route of every service needs a valid token (401) and the right role (403); the NHSA gateway refuses
both in its envelope instead (HTTP 200, ``infcode`` -1), as HIS clients read it.

The routes and the roles each admits are read from the apps themselves (``allowed_roles``) and
checked against the running services on the probe ports; the only routes without a token are the
probes, metrics and the dashboard page, and any new one fails this test until it is reviewed.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import httpx
import jwt
import pytest

from medfund_deploy.chaos import ALL_ROLES, ServiceSet, allowed_roles
from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

pytestmark = pytest.mark.security

APPS = {"enrollment": "medfund_enrollment", "billing": "medfund_billing",
        "adjudication": "medfund_adjudication", "ledger": "medfund_ledger"}
PUBLIC = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/healthz/details"), ("GET", "/metrics"), ("GET", "/")}
"""Routes that are public by design: liveness, readiness, the dependencies' states (no address, no secret),
Prometheus scraping, the dashboard's HTML shell."""
IN_THE_ENVELOPE = {("POST", "/fsi/api/rsfComIfsService/callService")}
"""The gateway answers every refusal, authentication included, in the platform's envelope: a HIS reads a bare
401 as a network fault (docs/his-integration.md)."""
HOSPITAL, OFFICE = "H21130200001", "T21130200"
SETTINGS = Settings()


def routes(service: str) -> dict[tuple[str, str], frozenset[str] | None]:
    app = importlib.import_module(f"{APPS[service]}.main").create_app()
    return {key: roles for key, roles in allowed_roles(app).items() if key[0] != "HEAD"}


def token(role: str, **overrides: object) -> str:
    return issue_token(SETTINGS, role, fixmedins_code=HOSPITAL if role == "his" else None,
                       tax_office_code=OFFICE if role == "tax" else None, **overrides)


def forged(secret: str = "not-the-secret-" + "x" * 32, algorithm: str = "HS256") -> str:
    claims = jwt.decode(token("admin"), SETTINGS.jwt_secret, algorithms=["HS256"])
    return jwt.encode(claims, secret if algorithm != "none" else None, algorithm=algorithm)


BAD_TOKENS = {
    "missing": None,
    "expired": token("admin", ttl=timedelta(seconds=-60)),
    "wrongly signed": forged(),
    "alg none": forged(algorithm="none"),
    "garbage": "abc.def.ghi",
    "role unknown": jwt.encode({"role": "root", "exp": 4102444800}, SETTINGS.jwt_secret, algorithm="HS256"),
    "his without hospital": jwt.encode({"role": "his", "exp": 4102444800}, SETTINGS.jwt_secret, algorithm="HS256"),
}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X0000000001", path)


def call(base: str, method: str, path: str, bearer: str | None) -> httpx.Response:
    """One request, read whole unless it is an event stream (the alert stream never ends by design)."""
    headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    with httpx.stream(method, base + concrete(path), headers=headers, json=body, timeout=30) as response:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            response.read()
        return response


def assert_error(response: httpx.Response, status: int, what: str) -> None:
    assert response.status_code == status, f"{what}: {response.status_code} {response.text[:300]}"
    error = response.json()["error"]
    assert error["code"] and error["message"], what


def assert_refused(response: httpx.Response, route: tuple[str, str], status: int, what: str) -> None:
    """``status`` in our error shape, or for the gateway infcode -1 with a readable err_msg in HTTP 200."""
    if route not in IN_THE_ENVELOPE:
        assert_error(response, status, what)
        return
    assert response.status_code == 200, f"{what}: {response.status_code} {response.text[:300]}"
    answer = response.json()
    assert answer["infcode"] == -1 and answer["err_msg"] and answer["output"] is None, what


@pytest.mark.parametrize("service", sorted(APPS))
def test_only_the_probes_are_public(service: str) -> None:
    public = {key for key, roles in routes(service).items() if roles is None}
    assert public <= PUBLIC, f"{service} serves without a token: {sorted(public - PUBLIC)}"


@pytest.mark.parametrize("service", sorted(APPS))
@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_every_route_refuses_a_bad_token(probe_services: ServiceSet, service: str, case: str) -> None:
    base = probe_services.require(service)
    checked = 0
    for (method, path), roles in sorted(routes(service).items()):
        if roles is None:
            continue
        response = call(base, method, path, BAD_TOKENS[case])
        assert_refused(response, (method, path), 401, f"{method} {path} with a {case} token")
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("service", sorted(APPS))
def test_every_route_refuses_the_wrong_role(probe_services: ServiceSet, service: str) -> None:
    base = probe_services.require(service)
    refused = 0
    for (method, path), roles in sorted(routes(service).items()):
        if roles is None:
            continue
        for role in sorted(ALL_ROLES - roles):
            assert_refused(call(base, method, path, token(role)), (method, path), 403, f"{method} {path} as {role}")
            refused += 1
        if "admin" in roles:
            response = call(base, method, path, token("admin"))
            assert response.status_code not in (401, 403), f"{method} {path} refuses admin: {response.text[:200]}"
    print(f"{service}: {refused} wrong-role calls refused with 403")


def test_public_probes_answer_without_a_token(probe_services: ServiceSet) -> None:
    for service in APPS:
        base = probe_services.require(service)
        for method, path in sorted(PUBLIC & set(routes(service))):
            assert httpx.request(method, base + path, timeout=10).status_code == 200, (service, path)
