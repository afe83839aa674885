"""The national platform's request signature, as hospitals' HIS clients compute it.

``x-tif-signature`` is the lowercase hex SHA-256 of ``timestamp + passtoken + nonce + timestamp``, where
``timestamp`` is ``x-tif-timestamp`` (Unix seconds, as sent) and ``nonce`` is ``x-tif-nonce``. A request is
fresh when its timestamp is within the window of now; its nonce must not have been seen within that window.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from medfund_adjudication.domain.refusal import Refused

HEADERS = ("x-tif-paasid", "x-tif-timestamp", "x-tif-nonce", "x-tif-signature")
MAX_HEADER_LENGTH = 128


@dataclass(frozen=True)
class SignedHeaders:
    paasid: str
    timestamp: str
    nonce: str
    signature: str

    @classmethod
    def of(cls, headers) -> SignedHeaders:
        """The four headers from a mapping (case-insensitive keys); each must be present and short."""
        values = []
        for name in HEADERS:
            value = (headers.get(name) or "").strip()
            if not value:
                raise Refused("unauthorized", f"signature header {name} is missing", name)
            if len(value) > MAX_HEADER_LENGTH:
                raise Refused("unauthorized", f"signature header {name} is longer than {MAX_HEADER_LENGTH}", name)
            values.append(value)
        return cls(*values)

    def ensure_fresh(self, now: float, window_seconds: int) -> None:
        """The timestamp must be Unix seconds within ``window_seconds`` of ``now``."""
        if not self.timestamp.isascii() or not self.timestamp.isdigit():
            raise Refused("unauthorized", "x-tif-timestamp must be Unix seconds", "x-tif-timestamp")
        if abs(int(self.timestamp) - now) > window_seconds:
            raise Refused("unauthorized", f"x-tif-timestamp is more than {window_seconds} s away from the "
                                          "platform's time: check the HIS clock", "x-tif-timestamp")

    def ensure_signed_with(self, passtoken: str) -> None:
        if not hmac.compare_digest(self.signature.lower(), signature(self.timestamp, passtoken, self.nonce)):
            raise Refused("unauthorized", "x-tif-signature does not match: sign timestamp + passtoken + nonce + "
                                          "timestamp with SHA-256", "x-tif-signature")


def signature(timestamp: str, passtoken: str, nonce: str) -> str:
    return hashlib.sha256(f"{timestamp}{passtoken}{nonce}{timestamp}".encode()).hexdigest()
