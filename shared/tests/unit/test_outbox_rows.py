"""Bulk outbox rows are the rows a single ``outbox.add`` writes, so the relay cannot tell them apart."""

from datetime import UTC, date, datetime, timedelta, timezone

import orjson
import pytest

from medfund_shared import outbox
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.logging import correlation_scope
from medfund_shared.money import Money

AT = datetime(2025, 10, 1, tzinfo=timezone(timedelta(hours=8)))
EVENT = PersonRegistered(psn_no="P1", certno="500240197505050011", psn_name="李四", gend="1", brdy=date(1975, 5, 5),
                         admdvs="500240", insutype="390", year=2026, household_id="h1", category="adult",
                         tier="tier1", enrollment_kind="new", premium_due=Money(38000), on_behalf_due=Money(0),
                         pack_id="cq-500240-2026")


class RecordingSession:
    """Keeps the rows of the INSERT it is given."""

    async def execute(self, statement, rows=None):
        self.rows = rows if rows is not None else [statement.compile().params]


def _without_identity(row: dict) -> dict:
    envelope = {k: v for k, v in row["envelope"].items() if k not in {"id", "time"}}
    return {**{k: v for k, v in row.items() if k not in {"event_id", "envelope"}}, "envelope": envelope}


async def test_add_many_writes_the_rows_add_writes_in_the_order_given():
    single, bulk = RecordingSession(), RecordingSession()
    await outbox.add(single, EVENT, source="enrollment", effective_time=AT)
    envelopes = await outbox.add_many(bulk, [(EVENT, AT), (EVENT, AT + timedelta(days=1))], source="enrollment")
    assert len(bulk.rows) == 2
    assert _without_identity(bulk.rows[0]) == _without_identity(single.rows[0])
    assert [row["event_id"] for row in bulk.rows] == [event.id for event in envelopes]
    assert bulk.rows[1]["envelope"]["effectivetime"] > bulk.rows[0]["envelope"]["effectivetime"]


async def test_add_many_of_nothing_writes_nothing():
    session = RecordingSession()
    assert await outbox.add_many(session, [], source="enrollment") == []
    assert not hasattr(session, "rows")


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
