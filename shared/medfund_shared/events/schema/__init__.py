"""The AsyncAPI 3.0 document of every registered event type, generated from the models.

The checked-in ``asyncapi.json`` next to this module is the published contract; a unit test
fails when it drifts from the models (regenerate with ``medfund events schema``).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic.json_schema import models_json_schema

from medfund_shared.events.registry import all_types

DOCUMENT_PATH = Path(__file__).with_name("asyncapi.json")
_REF = "#/components/schemas/{model}"


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


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
            "bindings": {"kafka": {"key": {"type": "string"}, "bindingVersion": "0.5.0"}},
            "payload": keyed[(model, "serialization")],
        }
        channel = channels.setdefault(model.topic, {"address": model.topic, "messages": {}})
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "medfund events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 in Kafka binary mode (ce_* headers); the value is the event data."},
        "defaultContentType": "application/json",
        "channels": dict(sorted(channels.items())),
        "components": {"messages": messages, "schemas": defs.get("$defs", {})},
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def is_current() -> bool:
    return DOCUMENT_PATH.exists() and DOCUMENT_PATH.read_text(encoding="utf-8") == render()


def write() -> Path:
    DOCUMENT_PATH.write_text(render(), encoding="utf-8")
    return DOCUMENT_PATH
