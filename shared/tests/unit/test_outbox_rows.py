"""Bulk outbox rows are the rows a single ``outbox.add`` writes, so the relay cannot tell them apart."""

from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from medfund_shared import outbox
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.logging import correlation_scope
from medfund_shared.money import Money

AT = datetime(2025, 10, 1, tzinfo=CHINA_TIME)
EVENT = PersonRegistered(psn_no="P1", certno="500240197505050011", psn_name="李四", gend="1", brdy=date(1975, 5, 5),
                         admdvs="500240", insutype="390", year=2026, household_id="h1", category="adult",
                         tier="tier1", enrollment_kind="new", premium_due=Money(38000), on_behalf_due=Money(0),
                         pack_id="cq-500240-2026")


class RecordingSession:
    """Keeps the row of the INSERT it is given."""

    async def execute(self, statement, rows=None):
        self.rows = [statement.compile().params]


def _without_identity(row: dict) -> dict:
    envelope = {k: v for k, v in row["envelope"].items() if k not in {"id", "time"}}
    return {**{k: v for k, v in row.items() if k not in {"event_id", "envelope"}}, "envelope": envelope}


def _as_row(record: tuple[str, ...]) -> dict:
    """A bulk record read back as the columns it fills (JSONB text parsed)."""
    row = dict(zip(("event_id", "topic", "key", "type", "envelope", "payload"), record, strict=True))
    return {**row, "envelope": orjson.loads(row["envelope"]), "payload": orjson.loads(row["payload"])}


@pytest.mark.parametrize("correlation", ["c0ffee", None])
async def test_bulk_rows_are_the_rows_add_writes_in_the_order_given(correlation):
    single = RecordingSession()
    with correlation_scope(correlation):
        await outbox.add(single, EVENT, source="enrollment", effective_time=AT)
        records = outbox.bulk_rows([(EVENT, AT), (EVENT, AT + timedelta(days=1))], source="enrollment")
    rows = [_as_row(record) for record in records]
    assert len(rows) == 2
    assert _without_identity(rows[0]) == _without_identity(_stored_row(single.rows[0]))
    assert rows[0]["event_id"] == rows[0]["envelope"]["id"] != rows[1]["event_id"] == rows[1]["envelope"]["id"]
    assert rows[1]["envelope"]["effectivetime"] > rows[0]["envelope"]["effectivetime"]
    assert CloudEvent(**rows[0]["envelope"], data=rows[0]["payload"]).time.tzinfo is not None


def test_a_bulk_event_without_an_offset_is_refused():
    with pytest.raises(ValueError, match="UTC offset"):
        outbox.bulk_rows([(EVENT, AT.replace(tzinfo=None))], source="enrollment")


async def test_add_many_of_nothing_writes_nothing():
    session = RecordingSession()
    assert await outbox.add_many(session, [], source="enrollment") == []
    assert not hasattr(session, "rows")


def _stored_row(row: dict) -> dict:
    envelope, payload = _stored(row)
    return {**row, "envelope": envelope, "payload": payload}


def _stored(row: dict) -> tuple[dict, dict]:
    """The row's envelope and payload as the relay reads them back from their JSONB columns."""
    return orjson.loads(orjson.dumps(row["envelope"])), orjson.loads(orjson.dumps(row["payload"]))


@pytest.mark.parametrize("correlation", ["c0ffee", None])
@pytest.mark.parametrize("subject", [None, "P1"])
@pytest.mark.parametrize("effective", [AT, AT.astimezone(UTC) + timedelta(microseconds=120_000)])
def test_the_relay_sends_a_stored_row_as_its_envelope_would_be_sent(correlation, subject, effective):
    with correlation_scope(correlation):
        row, event = outbox.outbox_row(EVENT, source="enrollment", effective_time=effective, subject=subject)
    record = CloudEvent.stored_to_kafka(*_stored(row))
    assert record == event.to_kafka()
    assert record == CloudEvent(**row["envelope"], data=row["payload"]).to_kafka()


@pytest.mark.parametrize("effective", [AT, AT.astimezone(UTC) + timedelta(microseconds=120_000)])
def test_the_relay_sends_a_bulk_row_as_its_envelope_would_be_sent(effective):
    [record] = outbox.bulk_rows([(EVENT, effective)], source="enrollment")
    row = _as_row(record)
    envelope = CloudEvent(**row["envelope"], data=row["payload"])
    assert CloudEvent.stored_to_kafka(row["envelope"], row["payload"]) == envelope.to_kafka()
    assert envelope.model_dump(mode="json", exclude={"data"}) == row["envelope"]
