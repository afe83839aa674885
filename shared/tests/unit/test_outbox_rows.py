"""Bulk outbox rows are the rows a single ``outbox.add`` writes, so the relay cannot tell them apart."""

from datetime import date, datetime, timedelta, timezone

from medfund_shared import outbox
from medfund_shared.events.types.enrollment import PersonRegistered
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
