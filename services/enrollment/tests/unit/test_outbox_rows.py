"""The bulk import's outbox rows are the rows ``outbox.add`` writes, so the relay cannot tell them apart."""

from datetime import date, datetime, timedelta, timezone

from medfund_enrollment.adapters.outbox_rows import outbox_row
from medfund_enrollment.adapters.uow import SOURCE
from medfund_shared import outbox
from medfund_shared.events.types.enrollment import PersonRegistered
from medfund_shared.money import Money

AT = datetime(2025, 10, 1, tzinfo=timezone(timedelta(hours=8)))
EVENT = PersonRegistered(psn_no="P1", certno="500240197505050011", psn_name="李四", gend="1", brdy=date(1975, 5, 5),
                         admdvs="500240", insutype="390", year=2026, household_id="h1", category="adult",
                         tier="tier1", enrollment_kind="new", premium_due=Money(38000), on_behalf_due=Money(0),
                         pack_id="cq-500240-2026")


class RecordingSession:
    """Keeps the values of the INSERT ``outbox.add`` executes."""

    async def execute(self, statement):
        self.values = statement.compile().params


async def test_a_bulk_row_has_the_columns_envelope_and_payload_of_a_single_add():
    session = RecordingSession()
    await outbox.add(session, EVENT, source=SOURCE, effective_time=AT)
    single, bulk = session.values, outbox_row(EVENT, source=SOURCE, effective_time=AT)
    assert set(bulk) == set(single)
    assert bulk["payload"] == single["payload"]
    assert (bulk["topic"], bulk["key"], bulk["type"]) == (single["topic"], single["key"], single["type"])
    different = {"id", "time"}
    assert {k: v for k, v in bulk["envelope"].items() if k not in different} == \
        {k: v for k, v in single["envelope"].items() if k not in different}
