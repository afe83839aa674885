"""The x-tif signature as the national platform defines it, and the OpenAPI description of both ways in."""

from __future__ import annotations

import hashlib

import pytest

from medfund_adjudication.domain.his_signature import SignedHeaders
from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.main import create_app

PASSTOKEN = "pt-0123456789abcdef"


def _headers(**changes) -> SignedHeaders:
    digest = hashlib.sha256(b"1764806400" + PASSTOKEN.encode() + b"n-42" + b"1764806400").hexdigest()
    values = {"x-tif-paasid": "paas1", "x-tif-timestamp": "1764806400", "x-tif-nonce": "n-42",
              "x-tif-signature": digest, **changes}
    return SignedHeaders.of(values)


def test_the_signature_is_sha256_of_timestamp_passtoken_nonce_timestamp():
    _headers().ensure_signed_with(PASSTOKEN)
    _headers(**{"x-tif-signature": _headers().signature.upper()}).ensure_signed_with(PASSTOKEN)
    with pytest.raises(Refused, match="x-tif-signature"):
        _headers().ensure_signed_with(PASSTOKEN + "x")


@pytest.mark.parametrize("now, fresh", [(1764806400 + 300, True), (1764806400 - 300, True),
                                        (1764806400 + 301, False), (1764806400 - 301, False)])
def test_the_timestamp_must_be_within_the_window(now, fresh):
    if fresh:
        _headers().ensure_fresh(now, 300)
    else:
        with pytest.raises(Refused, match="x-tif-timestamp"):
            _headers().ensure_fresh(now, 300)


def test_a_timestamp_in_milliseconds_or_words_is_refused():
    with pytest.raises(Refused, match="Unix seconds"):
        _headers(**{"x-tif-timestamp": "2026-12-04 10:00:00"}).ensure_fresh(1764806400, 300)


def test_each_header_is_required():
    with pytest.raises(Refused, match="x-tif-nonce is missing"):
        _headers(**{"x-tif-nonce": ""})


def test_openapi_offers_the_signature_or_a_bearer_token_on_the_gateway():
    spec = create_app().openapi()
    schemes = spec["components"]["securitySchemes"]
    assert "timestamp + passtoken + nonce + timestamp" in schemes["nhsaSignature"]["description"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert spec["paths"]["/fsi/api/rsfComIfsService/callService"]["post"]["security"] == [
        {"nhsaSignature": []}, {"HTTPBearer": []}]
