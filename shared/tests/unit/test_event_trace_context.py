"""Events carry the URI of their data's schema, the W3C trace context and the correlation id of what caused them."""

import json
import re
from datetime import date, datetime
from types import SimpleNamespace

from medfund_shared import outbox
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events import schema
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.logging import correlation_scope
from medfund_shared.money import Money
from medfund_shared.tracing import child_of, job_scope, trace_scope

AT = datetime(2025, 10, 1, tzinfo=CHINA_TIME)
EVENT = PersonRegistered(psn_no="P1", certno="500240197505050011", psn_name="李四", gend="1", brdy=date(1975, 5, 5),
                         admdvs="500240", insutype="390", year=2026, household_id="h1", category="adult",
                         tier="tier1", enrollment_kind="new", premium_due=Money(38000), on_behalf_due=Money(0),
                         pack_id="cq-500240-2026")
CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def _resolve(pointer_uri: str) -> dict:
    """Follow a ``dataschema`` URI into the published AsyncAPI document."""
    document_id, pointer = pointer_uri.split("#", 1)
    document = json.loads(schema.DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert document_id == document["id"]
    node = document
    for part in pointer.strip("/").split("/"):
        node = node[part]
    return node


def test_an_event_names_its_payload_schema_in_the_asyncapi_document():
    event = outbox.new_event(EVENT, source="medfund/enrollment", effective_time=AT)
    payload = _resolve(event.dataschema)
    assert payload == {"$ref": "#/components/schemas/PersonRegistered"}


def test_an_event_continues_the_callers_trace_in_a_span_of_its_own():
    with correlation_scope("c-1"), trace_scope(CALLER):
        event = outbox.new_event(EVENT, source="medfund/enrollment", effective_time=AT)
    assert event.correlationid == "c-1"
    trace, span = event.traceparent.split("-")[1:3]
    assert trace == "4bf92f3577b34da6a3ce929d0e0e4736" and span != "00f067aa0ba902b7"


def test_a_missing_or_malformed_traceparent_starts_a_new_trace():
    for parent in (None, "", "garbage", "00-" + "0" * 32 + "-00f067aa0ba902b7-01"):
        started = child_of(parent)
        assert TRACEPARENT.match(started) and "0" * 32 not in started


def test_a_consumer_passes_the_trace_and_correlation_on_through_the_kafka_headers():
    with correlation_scope("c-2"), trace_scope(CALLER):
        produced = outbox.new_event(EVENT, source="medfund/enrollment", effective_time=AT)
    key, value, headers = produced.to_kafka()
    header = dict(headers)
    assert header["ce_traceparent"].decode() == produced.traceparent
    assert header["ce_dataschema"].decode() == produced.dataschema
    consumed = CloudEvent.from_kafka(SimpleNamespace(key=key, value=value, headers=headers))
    with correlation_scope(consumed.correlationid), trace_scope(consumed.traceparent):
        emitted = outbox.new_event(EVENT, source="medfund/billing", effective_time=AT)
    assert emitted.correlationid == "c-2"
    assert emitted.traceparent.split("-")[1] == produced.traceparent.split("-")[1]
    assert emitted.traceparent != produced.traceparent


def test_a_background_job_run_gives_its_events_a_correlation_id_and_a_trace():
    with job_scope() as correlation_id:
        first = outbox.new_event(EVENT, source="medfund/fund-ledger", effective_time=AT)
        second = outbox.new_event(EVENT, source="medfund/fund-ledger", effective_time=AT)
    assert first.correlationid == second.correlationid == correlation_id
    assert TRACEPARENT.match(first.traceparent) and first.traceparent == second.traceparent


def test_the_asyncapi_document_has_servers_operations_and_the_header_schema():
    document = json.loads(schema.DOCUMENT_PATH.read_text(encoding="utf-8"))
    assert document["servers"]["kafka"]["protocol"] == "kafka"
    assert document["servers"]["kafka"]["variables"]["bootstrap"]["default"]
    for topic in document["channels"]:
        name = topic.replace(".", "_")
        assert document["operations"][f"send_{name}"]["action"] == "send"
        assert document["operations"][f"receive_{name}"]["channel"] == {"$ref": f"#/channels/{topic}"}
    headers = document["components"]["schemas"]["CloudEventHeaders"]["properties"]
    assert {"ce_id", "ce_type", "ce_correlationid", "ce_dataschema", "ce_traceparent"} <= set(headers)
    assert all(m["headers"] == {"$ref": "#/components/schemas/CloudEventHeaders"}
               for m in document["components"]["messages"].values())
