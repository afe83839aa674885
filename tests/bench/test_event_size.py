"""The settlement events' size for the Kafka limit is measured on the records: key, value and headers."""

from aiokafka.structs import ConsumerRecord
from medfund_bench import event_size


def record(headers: list[tuple[str, bytes]], key: bytes | None, value: bytes) -> ConsumerRecord:
    return ConsumerRecord(topic=event_size.CLAIMS_TOPIC, partition=0, offset=0, timestamp=0, timestamp_type=0,
                          key=key, value=value, checksum=None, serialized_key_size=len(key or b""),
                          serialized_value_size=len(value), headers=headers)


def test_a_record_counts_its_key_value_and_header_names_and_values():
    settled = record([("ce_type", b"medfund.claims.settlement.completed.v1"), ("ce_id", b"abc")], b"P1", b"{}")

    assert event_size.record_bytes(settled) == 2 + 2 + len("ce_type") + 38 + len("ce_id") + 3
    assert event_size.is_settlement(settled)
    assert not event_size.is_settlement(record([("ce_type", b"medfund.claims.settlement.reversed.v1")], None, b""))
    assert event_size.record_bytes(record([], None, b"")) == 0
