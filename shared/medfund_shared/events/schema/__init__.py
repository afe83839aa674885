"""The AsyncAPI 3.0 document of every registered event type, generated from the models.

The checked-in ``asyncapi.json`` next to this module is the published contract; a unit test
fails when it drifts from the models (regenerate with ``medfund events schema``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic.json_schema import models_json_schema

from medfund_shared.events.registry import all_types

DOCUMENT_PATH = Path(__file__).with_name("asyncapi.json")
DOCUMENT_ID = "urn:medfund:events:asyncapi"
"""The document's identifier; an event's ``dataschema`` is this URI with the pointer to its message payload."""
_REF = "#/components/schemas/{model}"
_HEADERS = "CloudEventHeaders"
_DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


@cache
def dataschema_uri(event_type: str) -> str:
    """The ``dataschema`` of an event of ``event_type``: its payload schema in this document."""
    return f"{DOCUMENT_ID}#/components/messages/{_message_name(event_type)}/payload"


def _string(description: str, **extra: str) -> dict:
    return {"type": "string", "description": description, **extra}


CLOUD_EVENT_HEADERS = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in Kafka binary mode: one `ce_<attribute>` header each, UTF-8.",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"],
    "properties": {
        "ce_specversion": _string("CloudEvents version", const="1.0"),
        "ce_id": _string("event id, unique per event; a redelivered copy carries the same id (consumers dedupe "
                         "on it)"),
        "ce_source": _string("the producing service, e.g. `medfund/adjudication`"),
        "ce_type": _string("the event type, e.g. `medfund.claims.settlement.completed.v1`: names the message"),
        "ce_time": _string("when the event was recorded (RFC 3339)", format="date-time"),
        "ce_subject": _string("what the event is about (a person, a pool, a settlement)"),
        "ce_effectivetime": _string("the business time the event takes effect (RFC 3339, from the data, never "
                                    "the wall clock)", format="date-time"),
        "ce_correlationid": _string("the correlation id of the request or consumed event the event comes from "
                                    "(`X-Correlation-ID`); a background job's own otherwise"),
        "ce_partitionkey": _string("the CloudEvents partitioning extension; also the Kafka record key"),
        "ce_dataschema": _string(f"the URI of the data's JSON schema: `{DOCUMENT_ID}#/components/messages/"
                                 "<message>/payload`", format="uri"),
        "ce_traceparent": _string("W3C trace context of the span that emitted the event (the CloudEvents "
                                  "distributed-tracing extension)", pattern="^00-[0-9a-f]{32}-[0-9a-f]{16}-"
                                  "[0-9a-f]{2}$"),
        "content-type": _string("the data's media type", const="application/json"),
    },
}


_SHIPPED = "medfund_shared.events.types."


def shipped_types() -> dict:
    """Types of the published contract (tests may register others; those stay out of the document)."""
    return {t: m for t, m in all_types().items() if m.__module__.startswith(_SHIPPED)}


def build_document() -> dict:
    """AsyncAPI 3.0: one channel per topic, one message per event type, payloads as JSON Schema."""
    types = shipped_types()
    keyed, defs = models_json_schema([(m, "serialization") for m in types.values()], ref_template=_REF)
    messages, channels = {}, {}
    for event_type, model in types.items():
        name = _message_name(event_type)
        messages[name] = {
            "name": event_type,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
            "contentType": "application/json",
            "headers": {"$ref": _REF.format(model=_HEADERS)},
            "bindings": {"kafka": {"key": {"type": "string"}, "bindingVersion": "0.5.0"}},
            "payload": keyed[(model, "serialization")],
        }
        channel = channels.setdefault(model.topic, {"address": model.topic, "messages": {},
                                                     "servers": [{"$ref": "#/servers/kafka"}]})
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    return {
        "asyncapi": "3.0.0",
        "id": DOCUMENT_ID,
        "info": {"title": "medfund events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 in Kafka binary mode (ce_* headers); the value is the event data. "
                                "Topic names take the deployment's `MEDFUND_TOPIC_PREFIX` in front."},
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": "{bootstrap}", "protocol": "kafka",
                              "description": "the Kafka cluster (`MEDFUND_KAFKA_BOOTSTRAP`)",
                              "variables": {"bootstrap": {"default": _DEFAULT_BOOTSTRAP,
                                                          "description": "bootstrap servers, host:port"}}}},
        "channels": dict(sorted(channels.items())),
        "operations": _operations(channels),
        "components": {"messages": messages, "schemas": {**defs.get("$defs", {}), _HEADERS: CLOUD_EVENT_HEADERS}},
    }


def _operations(channels: dict) -> dict:
    """Per topic: the producers' ``send`` (through their outbox relay) and the consumers' ``receive``."""
    operations = {}
    for topic, channel in sorted(channels.items()):
        name = _message_name(topic)
        messages = [{"$ref": f"#/channels/{topic}/messages/{m}"} for m in sorted(channel["messages"])]
        operations[f"send_{name}"] = {"action": "send", "channel": {"$ref": f"#/channels/{topic}"},
                                      "summary": "published by the producing service's outbox relay, at least "
                                                 "once, in outbox order per partition key",
                                      "messages": messages}
        operations[f"receive_{name}"] = {"action": "receive", "channel": {"$ref": f"#/channels/{topic}"},
                                         "summary": "consumed by the services' consumer groups, deduplicated on "
                                                    "ce_id; an event that cannot be applied is dead-lettered",
                                         "messages": messages}
    return operations


def render() -> str:
    return json.dumps(build_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def is_current() -> bool:
    return DOCUMENT_PATH.exists() and DOCUMENT_PATH.read_text(encoding="utf-8") == render()


def write() -> Path:
    DOCUMENT_PATH.write_text(render(), encoding="utf-8")
    return DOCUMENT_PATH
