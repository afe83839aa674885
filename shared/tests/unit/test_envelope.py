"""CloudEvents binary mode: what goes onto Kafka comes back identical."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.envelope import CloudEvent, EnvelopeError
from medfund_shared.events.registry import UnknownEventType, all_types, lookup, parse
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.money import Money


@dataclass
class Record:
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def alert(**overrides) -> AlertChanged:
    fields = dict(alert_id="a-1", rule="burn_pace", subject_type="pool", subject_id="500240:390100:2026",
                  severity="yellow", state="firing", measure="0.0820", threshold="0.0500", message="burning fast",
                  evaluated_at=datetime(2026, 7, 1, tzinfo=CHINA_TIME), evidence=["e1", "e2"])
    return AlertChanged(**(fields | overrides))


def envelope_of(data: AlertChanged) -> CloudEvent:
    return CloudEvent(source="medfund/fund-ledger", type=data.event_type, subject=data.subject(),
                      time=datetime(2026, 7, 1, 2, tzinfo=UTC), effectivetime=data.evaluated_at,
                      correlationid="corr-1", partitionkey=data.partition_key(), data=data.model_dump(mode="json"))


def test_binary_mode_round_trip_keeps_every_attribute():
    event = envelope_of(alert())
    key, value, headers = event.to_kafka()
    assert CloudEvent.from_kafka(Record(key, value, headers)) == event


def test_attributes_travel_as_ce_headers_and_the_key_is_the_aggregate():
    key, value, headers = envelope_of(alert()).to_kafka()
    names = dict(headers)
    assert key == b"burn_pace:500240:390100:2026"
    assert names["ce_specversion"] == b"1.0"
    assert names["ce_type"] == b"medfund.fund.alert.v1"
    assert names["ce_effectivetime"] == b"2026-07-01T00:00:00+08:00"
    assert names["content-type"] == b"application/json"
    assert b"ce_" not in value


def test_parsed_data_equals_the_model_sent():
    data = alert()
    assert parse(envelope_of(data)) == data


def test_unknown_fields_from_newer_producers_are_ignored():
    event = envelope_of(alert())
    newer = event.model_copy(update={"data": event.data | {"added_in_v1_1": 3}})
    assert parse(newer) == alert()


def test_a_record_without_cloudevents_headers_is_rejected():
    with pytest.raises(EnvelopeError):
        CloudEvent.from_kafka(Record(None, b"{}", []))


def test_a_record_whose_value_is_not_json_is_rejected():
    _, _, headers = envelope_of(alert()).to_kafka()
    with pytest.raises(EnvelopeError):
        CloudEvent.from_kafka(Record(None, b"\xff not json", headers))


def test_unknown_types_are_reported_as_such():
    with pytest.raises(UnknownEventType):
        lookup("medfund.nobody.thing.v9")


def test_every_shipped_type_is_versioned_and_has_a_topic():
    for event_type, model in all_types().items():
        assert event_type.startswith("medfund.") and event_type.endswith(".v1")
        assert model.topic.startswith("medfund.") and model.topic.endswith(".v1")


def test_money_in_event_data_is_a_yuan_string():
    from medfund_shared.events.types.claims import FundPayment

    assert FundPayment(fund_pay_type="390100", fund_payamt="12.5").model_dump(mode="json")["fund_payamt"] == "12.50"
    assert FundPayment(fund_pay_type="390100", fund_payamt="12.5").fund_payamt == Money(1250)
