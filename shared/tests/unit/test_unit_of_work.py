"""The shared unit of work, idempotency outcomes and refusal type, on the in-memory fakes (no I/O)."""

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from medfund_shared.errors import ApiError, register_error_handlers
from medfund_shared.events.types.enrollment import EligiblePopulationSet
from medfund_shared.idempotency import IdempotentRequest, StoredAnswer, request_digest
from medfund_shared.refusal import Kind, Refusal, no_policy_pack
from medfund_shared.unit_of_work import FakeUnitOfWorkBase

AT = datetime(2026, 1, 1, tzinfo=UTC)
EVENT = EligiblePopulationSet(admdvs="330100", year=2026, eligible=10, actor="a")


def test_the_digest_is_canonical_json_whatever_the_key_order():
    assert request_digest({"b": 1, "a": [1, "二"]}) == request_digest({"a": [1, "二"], "b": 1})
    assert request_digest({"a": 1}) != request_digest({"a": 2})
    # sha256 of '{"a":1}', the compact canonical text, by hand with hashlib's documented output
    assert request_digest({"a": 1}) == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"


async def test_events_are_kept_only_when_the_unit_commits():
    uow = FakeUnitOfWorkBase()
    async with uow:
        await uow.emit(EVENT, AT)
    assert uow.events == [] and uow.commits == 0
    async with uow:
        await uow.emit(EVENT, AT)
        await uow.commit()
    assert uow.events == [(EVENT, AT)] and uow.commits == 1


async def test_a_key_is_new_then_replayed_then_refused_with_other_content():
    uow = FakeUnitOfWorkBase()
    first = IdempotentRequest.of("enrollments", "k-1", {"year": 2026}, success_status=201)
    async with uow:
        assert await uow.idempotency.claim(first) is None
        await uow.idempotency.remember(first, {"household_id": "h"})
        await uow.commit()
    async with uow:
        assert await uow.idempotency.claim(first) == StoredAnswer(201, {"household_id": "h"})
    other = IdempotentRequest.of("enrollments", "k-1", {"year": 2027})
    with pytest.raises(Refusal) as refused:
        async with uow:
            await uow.idempotency.claim(other)
    assert (refused.value.code, refused.value.kind, refused.value.field) == (
        "idempotency_key_reused", Kind.CONFLICT, "Idempotency-Key")


async def test_a_claim_rolled_back_is_free_again_and_an_unanswered_claim_cannot_commit():
    uow = FakeUnitOfWorkBase()
    request = IdempotentRequest.of("s", "k", {})
    async with uow:
        assert await uow.idempotency.claim(request) is None
    async with uow:
        assert await uow.idempotency.claim(request) is None
        with pytest.raises(RuntimeError):
            await uow.commit()


def test_no_key_means_no_idempotency():
    assert IdempotentRequest.of("s", None, {}) is None and IdempotentRequest.of("s", "", {}) is None


async def test_each_kind_is_one_http_status_in_the_platform_error_shape():
    app = FastAPI()
    register_error_handlers(app)
    refusals = {"/invalid": no_policy_pack("no pack for 999999"),
                "/conflict": Refusal.conflict("duplicate", "again", "certno"),
                "/missing": Refusal.not_found("not_found", "no such person", "psn_no"),
                "/edge": ApiError(429, "rate_limited", "slow down", headers={"Retry-After": "1"})}
    for path, refusal in refusals.items():
        app.add_api_route(path, _raiser(refusal))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answers = {path: await client.get(path) for path in refusals}
    assert [(a.status_code, a.json()["error"]["code"]) for a in answers.values()] == [
        (422, "no_policy_pack"), (409, "duplicate"), (404, "not_found"), (429, "rate_limited")]
    assert answers["/invalid"].json()["error"]["field"] == "admdvs"
    assert answers["/edge"].headers["retry-after"] == "1"


def _raiser(refusal: Refusal):
    async def route() -> dict:
        raise refusal
    return route
