"""A tax-bureau file over the configured cap is refused while it streams in (413, nothing kept), and past the
configured number of uploads at once, one more is told to come back (429, Retry-After)."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.integration
CAP = 4096
HEADER = b"tax_voucher_no,certno,psn_name,insutype,admdvs,period_year,amount,paid_at,tax_office_code,channel\n"
LINE = "V1,500240199001011234,张三,390,500240,2026,140.00,2025-11-20T10:15:00+08:00,TAX500240,wechat\n".encode()
FILE = HEADER + LINE


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setenv("MEDFUND_BILLING_UPLOAD_MAX_BYTES", str(CAP))


@pytest.fixture
def one_upload_at_a_time(monkeypatch):
    monkeypatch.setenv("MEDFUND_BILLING_CONCURRENT_UPLOADS", "1")
    monkeypatch.setenv("MEDFUND_BILLING_UPLOAD_RETRY_AFTER_SECONDS", "7")


async def test_a_file_over_the_cap_is_refused_as_it_streams_and_nothing_is_kept(small_cap, billing):
    sent = 0

    async def big_file():
        nonlocal sent
        yield HEADER
        for _ in range(2000):  # about 150 KB
            sent += len(LINE)
            yield LINE

    answer = await billing.client.post("/v1/collections/batches", content=big_file(),
                                       headers={**billing.headers(), "Content-Type": "text/csv"})
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "payload_too_large"
    assert sent < 2 * CAP, f"the whole body was read ({sent} bytes) before it was refused"
    assert await billing.scalar("SELECT count(*) FROM batches") == 0
    assert await billing.scalar("SELECT count(*) FROM batch_records") == 0


async def test_one_upload_too_many_at_once_gets_429_with_retry_after_and_the_first_finishes(one_upload_at_a_time,
                                                                                           billing):
    first_started, release = asyncio.Event(), asyncio.Event()
    headers = {**billing.headers(), "Content-Type": "text/csv"}
    first = asyncio.create_task(_post_slowly(billing.app, headers, first_started, release))
    await asyncio.wait_for(first_started.wait(), 30)
    second = await billing.client.post("/v1/collections/batches", content=FILE, headers=headers)
    assert second.status_code == 429, second.text
    assert second.headers["retry-after"] == "7" and second.json()["error"]["code"] == "too_many_uploads"
    release.set()
    assert await asyncio.wait_for(first, 30) == 202
    again = await billing.client.post("/v1/collections/batches", content=FILE, headers=headers)
    assert again.status_code == 202, again.text


async def _post_slowly(app, headers: dict[str, str], started: asyncio.Event, release: asyncio.Event) -> int:
    """POST the file in two parts, the second once ``release`` is set, straight to the ASGI application (httpx's
    in-process transport reads a request's whole body before calling it); the answer's status."""
    parts = [FILE[:20], FILE[20:]]
    status = 0

    async def receive() -> dict:
        if len(parts) == 1:
            started.set()
            await release.wait()
        more_body = len(parts) > 1
        return {"type": "http.request", "body": parts.pop(0), "more_body": more_body}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/collections/batches", "raw_path": b"/v1/collections/batches", "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 50000), "server": ("billing", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    await app(scope, receive, send)
    return status
