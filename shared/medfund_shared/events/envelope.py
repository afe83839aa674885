"""CloudEvents 1.0 envelope in Kafka binary mode: attributes in ``ce_*`` headers, ``data`` as the value.

``partitionkey`` is the CloudEvents partitioning extension; it becomes the Kafka record key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/json"
SPEC_VERSION = "1.0"
_OPTIONAL_HEADERS = ("subject", "effectivetime", "correlationid", "partitionkey", "dataschema", "traceparent")
_TIME_HEADERS = frozenset({"effectivetime"})


def _binary_mode_headers(attrs: dict[str, str], content_type: str) -> list[tuple[str, bytes]]:
    return [(f"ce_{k}", v.encode()) for k, v in attrs.items()] + [("content-type", content_type.encode())]


class KafkaRecord(Protocol):
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


class EnvelopeError(ValueError):
    """A Kafka record that is not a binary-mode CloudEvent."""


class CloudEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: AwareDatetime
    effectivetime: AwareDatetime
    correlationid: str | None = None
    partitionkey: str | None = None
    dataschema: str | None = None
    """The URI of the data's JSON schema: its message payload in the AsyncAPI document."""
    traceparent: str | None = None
    """W3C trace context (the CloudEvents distributed-tracing extension): the span that emitted the event."""
    datacontenttype: str = CONTENT_TYPE
    data: dict[str, Any]

    def headers(self) -> list[tuple[str, bytes]]:
        attrs = {"specversion": SPEC_VERSION, "id": self.id, "source": self.source, "type": self.type,
                 "time": self.time.isoformat()}
        for name in _OPTIONAL_HEADERS:
            value = getattr(self, name)
            if value is not None:
                attrs[name] = value.isoformat() if isinstance(value, datetime) else value
        return _binary_mode_headers(attrs, self.datacontenttype)

    def to_kafka(self) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
        """(key, value, headers) for a Kafka producer."""
        key = self.partitionkey.encode() if self.partitionkey is not None else None
        value = orjson.dumps(self.data)
        return key, value, self.headers()

    @staticmethod
    def stored_to_kafka(envelope: dict[str, Any], data: dict[str, Any]) -> tuple[bytes | None, bytes,
                                                                                 list[tuple[str, bytes]]]:
        """What :meth:`to_kafka` gives for an envelope stored as ``model_dump(mode="json", exclude={"data"})``.

        For the outbox relay: the rows were written from validated envelopes, so validating each again
        (a pydantic model per event) only cost CPU. Times are read back and written as :meth:`headers` does."""
        attrs = {"specversion": SPEC_VERSION, "id": envelope["id"], "source": envelope["source"],
                 "type": envelope["type"], "time": datetime.fromisoformat(envelope["time"]).isoformat()}
        for name in _OPTIONAL_HEADERS:
            value = envelope.get(name)
            if value is not None:
                attrs[name] = datetime.fromisoformat(value).isoformat() if name in _TIME_HEADERS else value
        key = envelope.get("partitionkey")
        return (key.encode() if key is not None else None, orjson.dumps(data),
                _binary_mode_headers(attrs, envelope.get("datacontenttype", CONTENT_TYPE)))

    @classmethod
    def from_kafka(cls, record: KafkaRecord) -> CloudEvent:
        """Rebuild the envelope; raises :class:`EnvelopeError` (or a pydantic error) when malformed."""
        return cls(**attributes_of(record))


def attributes_of(record: KafkaRecord) -> dict:
    """A binary-mode record's envelope attributes and ``data``, unvalidated beyond the spec version and a JSON
    object body (:class:`EnvelopeError`): what :meth:`CloudEvent.from_kafka` and the fast decoder both build from."""
    headers = {k: v.decode() for k, v in (record.headers or ())}
    if headers.get("ce_specversion") != SPEC_VERSION:
        raise EnvelopeError("missing or unsupported ce_specversion header")
    try:
        data = orjson.loads(record.value) if record.value else {}
    except orjson.JSONDecodeError as exc:
        raise EnvelopeError(f"value is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("event data must be a JSON object")
    attrs = {k[3:]: v for k, v in headers.items() if k.startswith("ce_") and k != "ce_specversion"}
    attrs["datacontenttype"] = headers.get("content-type", CONTENT_TYPE)
    attrs["data"] = data
    return attrs
