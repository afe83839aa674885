"""Every route of every service needs a valid token (401) and the right role (403); the NHSA gateway refuses
both in its envelope instead (HTTP 200, ``infcode`` -1), as HIS clients read it.

The roles each route admits are written out below, from the contract (``shared/design/interfaces.md``: the
registry and ledger budgets are admin's, an alert is acknowledged by an operator, a collection carries the
token's own tax office) and the documentation (README's endpoint table, ``docs/``: staff means admin or
operator). The applications are compared with this table (a route missing from either, or admitting other
roles, fails), and the running services are probed with it: each role the table leaves out gets 403. The only
routes without a token are the probes, metrics and the console's page and files.
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
PUBLIC = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/healthz/details"), ("GET", "/metrics")}
"""Routes that are public by design: liveness, readiness, the dependencies' states (no address, no secret),
Prometheus scraping; and on the ledger the console's page and static files (:data:`CONSOLE`), which hold no data."""
CONSOLE = {("GET", "/"), ("GET", "/console/{path:path}")}
"""The operators' console (docs/console.md): its HTML shell and its scripts, styles and images; every figure it
shows comes from the staff routes below."""
IN_THE_ENVELOPE = {("POST", "/fsi/api/rsfComIfsService/callService")}
"""The gateway answers every refusal, authentication included, in the platform's envelope: a HIS reads a bare
401 as a network fault (docs/his-integration.md)."""
ADMIN = frozenset({"admin"})
STAFF = frozenset({"admin", "operator"})
"""The fund office's staff: administrators and operators."""
TAX_OR_STAFF = STAFF | {"tax"}
HOSPITAL_OR_ADMIN = frozenset({"admin", "his"})
HOSPITAL_OR_STAFF = STAFF | {"his"}
PLATFORM = {path: None for _, path in PUBLIC} | {"/v1/dead-letters": STAFF, "/v1/operations": ADMIN}
"""Every service: the probes and metrics (public), its parked events (staff, docs/development.md) and its
dead-letter backlog and consumer lag (admin, docs/console.md)."""

CONTRACT: dict[str, dict[tuple[str, str], frozenset[str] | None]] = {
    "enrollment": {
        ("POST", "/v1/enrollments"): STAFF,
        ("POST", "/v1/enrollments/batches"): STAFF,
        ("GET", "/v1/enrollments/batches"): STAFF,
        ("GET", "/v1/enrollments/batches/{batch_id}"): STAFF,
        ("GET", "/v1/households/{household_id}"): STAFF,
        ("POST", "/v1/households/{household_id}/renewals"): STAFF,
        ("GET", "/v1/persons"): STAFF,
        ("GET", "/v1/persons/{psn_no}"): STAFF,
        ("GET", "/v1/persons/{psn_no}/audit"): STAFF,
        ("POST", "/v1/persons/{psn_no}/suspensions"): STAFF,
        ("POST", "/v1/persons/{psn_no}/reinstatements"): STAFF,
        ("POST", "/v1/persons/{psn_no}/terminations"): STAFF,
        ("POST", "/v1/persons/{psn_no}/category-changes"): STAFF,
        ("POST", "/v1/persons/{psn_no}/renewals"): STAFF,
        ("PUT", "/v1/regions/{admdvs}/years/{year}/eligible-population"): STAFF,
        ("GET", "/v1/statistics/enrollment"): STAFF,
    },
    "billing": {
        ("POST", "/v1/collections"): frozenset({"tax"}),
        ("POST", "/v1/collections/batches"): frozenset({"tax"}),
        ("GET", "/v1/collections/batches/{batch_id}"): TAX_OR_STAFF,
        ("GET", "/v1/collections/reconciliation"): TAX_OR_STAFF,
        ("POST", "/v1/collections/{tax_voucher_no}/refund"): TAX_OR_STAFF,
        ("POST", "/v1/collections/{tax_voucher_no}/reversal"): TAX_OR_STAFF,
        ("POST", "/v1/employers/{employer_code}/declarations"): TAX_OR_STAFF,
        ("GET", "/v1/employers/{employer_code}/arrears"): TAX_OR_STAFF,
        ("POST", "/v1/appropriations"): STAFF,
        ("GET", "/v1/coverage-refusals"): STAFF,
        ("GET", "/v1/statistics/collection"): STAFF,
        ("GET", "/v1/suspense"): STAFF,
        ("POST", "/v1/suspense/{payment_id}/resolve"): STAFF,
    },
    "adjudication": {
        ("POST", "/fsi/api/rsfComIfsService/callService"): HOSPITAL_OR_ADMIN,
        ("POST", "/v1/admissions"): HOSPITAL_OR_ADMIN,
        ("POST", "/v1/admissions/{mdtrt_id}/fees"): HOSPITAL_OR_ADMIN,
        ("POST", "/v1/admissions/{mdtrt_id}/fees/cancellation"): HOSPITAL_OR_ADMIN,
        ("POST", "/v1/admissions/{mdtrt_id}/discharge"): HOSPITAL_OR_ADMIN,
        ("POST", "/v1/settlements"): HOSPITAL_OR_ADMIN,
        ("POST", "/v1/settlements/preview"): HOSPITAL_OR_ADMIN,
        ("POST", "/v1/settlements/{setl_id}/reversal"): HOSPITAL_OR_ADMIN,
        ("GET", "/v1/persons/{psn_no}/coverage"): HOSPITAL_OR_STAFF,
        ("PUT", "/v1/institutions/{fixmedins_code}"): ADMIN,
        ("PUT", "/v1/catalogue/{med_list_codg}"): ADMIN,
        ("GET", "/v1/settlements"): STAFF,
        ("GET", "/v1/settlements/{setl_id}/replay"): STAFF,
        ("POST", "/v1/simulations"): STAFF,
        ("GET", "/v1/simulations/{simulation_id}"): STAFF,
    },
    "ledger": {
        ("GET", "/"): None,
        ("GET", "/console/{path:path}"): None,
        ("GET", "/v1/names"): STAFF,
        ("GET", "/v1/pools"): STAFF,
        ("GET", "/v1/pools/stream"): STAFF,
        ("GET", "/v1/pools/{pool_id}"): STAFF,
        ("GET", "/v1/pools/{pool_id}/journal"): STAFF,
        ("GET", "/v1/pools/{pool_id}/months"): STAFF,
        ("POST", "/v1/pools/{pool_id}/what-if"): STAFF,
        ("PUT", "/v1/pools/{pool_id}/budget"): ADMIN,
        ("PUT", "/v1/pools/{pool_id}/thresholds"): ADMIN,
        ("POST", "/v1/pools/{pool_id}/transfers"): ADMIN,
        ("POST", "/v1/pools/{pool_id}/brought-forward"): ADMIN,
        ("PUT", "/v1/institutions/{fixmedins_code}/budget"): ADMIN,
        ("POST", "/v1/institutions/{fixmedins_code}/clearing"): STAFF,
        ("GET", "/v1/institutions"): STAFF,
        ("GET", "/v1/alerts"): STAFF,
        ("GET", "/v1/alerts/{alert_id}"): STAFF,
        ("GET", "/v1/alerts/stream"): STAFF,
        ("POST", "/v1/alerts/{alert_id}/ack"): STAFF,
        ("GET", "/v1/statistics"): STAFF,
        ("GET", "/v1/accounts/{psn_no}"): STAFF,
        ("GET", "/v1/settlements/{setl_id}"): STAFF,
        ("GET", "/v1/operations/services"): ADMIN,
        ("POST", "/v1/simulations"): STAFF,
        ("GET", "/v1/simulations/{simulation_id}"): STAFF,
    },
}
"""Per service, ``(method, path) -> roles admitted`` (``None``: no token needed), besides :data:`PLATFORM`."""
HOSPITAL, OFFICE = "H21130200001", "T21130200"
SETTINGS = Settings()


def expected(service: str) -> dict[tuple[str, str], frozenset[str] | None]:
    """The table's routes of ``service``: what the probes below call and with which roles."""
    return {("GET", path): roles for path, roles in PLATFORM.items()} | CONTRACT[service]


def routes(service: str) -> dict[tuple[str, str], frozenset[str] | None]:
    """What the application itself admits, read from its dependencies."""
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
def test_every_route_of_the_app_admits_the_roles_the_table_gives_it(service: str) -> None:
    served, written = routes(service), expected(service)
    assert sorted(set(served) - set(written)) == [], f"{service} serves routes the table does not have"
    assert sorted(set(written) - set(served)) == [], f"{service} lacks routes of the table"
    differ = {key: (sorted(served[key] or ["PUBLIC"]), sorted(written[key] or ["PUBLIC"]))
              for key in written if served[key] != written[key]}
    assert differ == {}, f"{service}: route -> (the app admits, the table admits)"


@pytest.mark.parametrize("service", sorted(APPS))
def test_only_the_probes_and_the_console_files_are_public(service: str) -> None:
    public = {key for key, roles in expected(service).items() if roles is None}
    assert public <= PUBLIC | CONSOLE, f"{service} would serve without a token: {sorted(public - PUBLIC)}"


@pytest.mark.parametrize("service", sorted(APPS))
@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_every_route_refuses_a_bad_token(probe_services: ServiceSet, service: str, case: str) -> None:
    base = probe_services.require(service)
    checked = 0
    for (method, path), roles in sorted(expected(service).items()):
        if roles is None:
            continue
        response = call(base, method, path, BAD_TOKENS[case])
        assert_refused(response, (method, path), 401, f"{method} {path} with a {case} token")
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("service", sorted(APPS))
def test_every_route_refuses_the_roles_the_table_leaves_out(probe_services: ServiceSet, service: str) -> None:
    base = probe_services.require(service)
    refused = 0
    for (method, path), roles in sorted(expected(service).items()):
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
        for method, path in sorted((PUBLIC | {("GET", "/")}) & set(expected(service))):
            assert httpx.request(method, base + path, timeout=10).status_code == 200, (service, path)
