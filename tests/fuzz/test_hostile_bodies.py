"""Hostile bodies at the HTTP edge: oversized bodies and files are refused with 413 in the error shape,
and malformed JSON at the NHSA gateway is an ``infcode = -1`` answer (or a 4xx), never a 500.
"""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from medfund_deploy.chaos import ServiceSet
from medfund_shared.auth import issue_token
from medfund_shared.settings import Settings

pytestmark = pytest.mark.fuzz

MIB = 1 << 20
OFFICE, HOSPITAL = "15002400000", "H21130200001"
TOKENS = {"admin": issue_token(Settings(), "admin"), "tax": issue_token(Settings(), "tax", tax_office_code=OFFICE),
          "his": issue_token(Settings(), "his", fixmedins_code=HOSPITAL)}
JSON_POSTS = [("enrollment", "/v1/enrollments", "admin"), ("billing", "/v1/collections", "tax"),
              ("adjudication", "/fsi/api/rsfComIfsService/callService", "his"),
              ("ledger", "/v1/pools/211302:390100:2026/transfers", "admin")]
GATEWAY = "/fsi/api/rsfComIfsService/callService"


def assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.json()["error"]["message"]


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


@pytest.mark.parametrize(("service", "path", "role"), JSON_POSTS)
def test_json_body_over_one_mib_is_refused(fuzz_services: ServiceSet, service: str, path: str, role: str) -> None:
    body = json.dumps({"padding": "x" * (MIB + 10)}).encode()
    response = httpx.post(fuzz_services.require(service) + path, content=body, timeout=30,
                          headers={**auth(role), "Content-Type": "application/json"})
    assert_413(response)


@pytest.mark.parametrize(("service", "path", "role"), JSON_POSTS)
def test_chunked_body_without_length_is_refused_too(fuzz_services: ServiceSet, service: str, path: str,
                                                   role: str) -> None:
    def chunks():
        for _ in range(20):
            yield b"x" * (128 << 10)

    response = httpx.post(fuzz_services.require(service) + path, content=chunks(), timeout=30,
                          headers={**auth(role), "Content-Type": "application/json"})
    assert_413(response)


def _read_response(conn: socket.socket) -> tuple[bytes, bytes]:
    """The status head and the whole body: a response can arrive in several packets."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += conn.recv(65536)
    return head, body


def test_collection_file_declared_over_the_upload_limit_is_refused(fuzz_services: ServiceSet) -> None:
    """The billing upload limit (``MEDFUND_BILLING_UPLOAD_MAX_BYTES``) is refused from the declared length, before
    any byte is read."""
    from medfund_billing.config import BillingSettings

    upload_limit = BillingSettings().upload_max_bytes

    host, port = fuzz_services.require("billing").removeprefix("http://").split(":")
    request = (f"POST /v1/collections/batches HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/csv\r\n"
               f"Authorization: Bearer {TOKENS['tax']}\r\nContent-Length: {upload_limit + 1}\r\n\r\n")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request.encode())
        head, body = _read_response(conn)
    assert head.split()[1] == b"413", head
    assert json.loads(body)["error"]["code"] == "payload_too_large"


HOSTILE = {
    "not json": b"{infno: 2304",
    "invalid utf-8": b'{"infno": "2304", "msgid": "\xff\xfe"}',
    "json array": b"[1, 2, 3]",
    "json string": b'"2304"',
    "deep nesting": b'{"infno": "2304", "input": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "huge integer": b'{"infno": "2304", "msgid": "M1", "input": {"data": {"medfee_sumamt": ' + b"9" * 5000 + b"}}}",
    "huge exponent": b'{"infno": "2304", "msgid": "M2", "inf_time": "2026-07-01 10:00:00", "fixmedins_code": "'
                     + HOSPITAL.encode() + b'", "input": {"data": {"psn_no": "P1", "mdtrt_id": "X", '
                     b'"medfee_sumamt": 1e999999999}}}',
    "NaN amount": b'{"infno": "2304", "msgid": "M3", "inf_time": "2026-07-01 10:00:00", "fixmedins_code": "'
                  + HOSPITAL.encode() + b'", "input": {"data": {"psn_no": "P1", "mdtrt_id": "X", '
                  b'"medfee_sumamt": NaN}}}',
    "unknown infno": b'{"infno": "9999", "msgid": "M4", "inf_time": "2026-07-01 10:00:00", "fixmedins_code": "'
                     + HOSPITAL.encode() + b'", "input": {}}',
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_gateway_answers_hostile_json_without_a_500(fuzz_services: ServiceSet, case: str) -> None:
    response = httpx.post(fuzz_services.require("adjudication") + GATEWAY, content=HOSTILE[case], timeout=30,
                          headers={**auth("his"), "Content-Type": "application/json"})
    assert response.status_code < 500, f"{case}: {response.status_code} {response.text[:300]}"
    if response.status_code == 200:
        answer = response.json()
        assert answer["infcode"] == -1 and answer["err_msg"], answer
