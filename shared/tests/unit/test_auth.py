"""Bearer tokens: who may call what."""

import time
from datetime import timedelta

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medfund_shared.auth import AdminPrincipal, CurrentPrincipal, TokenRequestError, decode_token, issue_token
from medfund_shared.errors import ApiError, register_error_handlers
from medfund_shared.settings import Settings

SETTINGS = Settings()


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.state.settings = SETTINGS
    register_error_handlers(app)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict:
        return {"role": principal.role, "fixmedins_code": principal.fixmedins_code}

    @app.get("/admin")
    async def admin(principal: AdminPrincipal) -> dict:
        return {"role": principal.role}

    return TestClient(app)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_his_token_carries_its_hospital(client):
    response = client.get("/me", headers=bearer(issue_token(SETTINGS, "his", fixmedins_code="H21130200001")))
    assert response.json() == {"role": "his", "fixmedins_code": "H21130200001"}


def test_no_token_is_401_with_a_bearer_challenge(client):
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"


def test_an_expired_token_is_401(client):
    token = issue_token(SETTINGS, "admin", ttl=timedelta(seconds=-1))
    response = client.get("/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "token expired"


def test_a_token_signed_with_another_secret_is_401(client):
    forged = issue_token(Settings(jwt_secret="x" * 40), "admin")
    assert client.get("/admin", headers=bearer(forged)).status_code == 401


def test_a_token_with_the_wrong_algorithm_is_401(client):
    unsigned = jwt.encode({"role": "admin", "exp": 4102444800}, key=None, algorithm="none")
    assert client.get("/admin", headers=bearer(unsigned)).status_code == 401


def test_the_wrong_role_is_403(client):
    response = client.get("/admin", headers=bearer(issue_token(SETTINGS, "operator")))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_his_without_hospital_and_tax_without_office_are_refused():
    with pytest.raises(TokenRequestError):
        issue_token(SETTINGS, "his")
    with pytest.raises(TokenRequestError):
        issue_token(SETTINGS, "tax")


def test_a_hospital_may_act_only_for_itself():
    principal = decode_token(SETTINGS, issue_token(SETTINGS, "his", fixmedins_code="H1"))
    principal.ensure_fixmedins("H1")
    with pytest.raises(ApiError) as refused:
        principal.ensure_fixmedins("H2")
    assert refused.value.status == 403


def test_a_token_accepted_before_is_refused_once_it_expires(monkeypatch):
    token = issue_token(SETTINGS, "his", fixmedins_code="H1", ttl=timedelta(seconds=60))
    assert decode_token(SETTINGS, token).fixmedins_code == "H1"
    later = time.time() + 61
    monkeypatch.setattr("medfund_shared.auth.time.time", lambda: later)
    with pytest.raises(ApiError) as refused:
        decode_token(SETTINGS, token)
    assert refused.value.message == "token expired"


def test_a_token_is_checked_against_the_secret_it_is_decoded_with():
    token = issue_token(SETTINGS, "admin")
    assert decode_token(SETTINGS, token).role == "admin"
    with pytest.raises(ApiError):
        decode_token(Settings(jwt_secret="y" * 40), token)
