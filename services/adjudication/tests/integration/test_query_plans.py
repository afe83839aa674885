"""How PostgreSQL plans the settlement path and a simulation's replay on the service's connections."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import create_async_engine

from medfund_adjudication.adapters import settling
from medfund_adjudication.adapters.simulation_repo import Period, Shard, replay_query
from medfund_adjudication.main import definition
from medfund_shared import driver
from medfund_shared.db import create_engine
from medfund_shared.service import create_service_app
from medfund_shared.settings import Settings


async def test_the_service_connections_use_generic_plans(adjudication_settings):
    app = create_service_app(definition(), adjudication_settings)
    async with app.router.lifespan_context(app), app.state.context.engine.connect() as connection:
        assert (await connection.exec_driver_sql("SHOW plan_cache_mode")).scalar_one() == "force_generic_plan"


def _literal(value) -> str:
    if isinstance(value, timedelta):
        return f"interval '{value.total_seconds():.0f} seconds'"
    return "'" + str(value).replace("'", "''") + "'"


async def test_a_new_database_checks_the_settlement_id_through_the_unique_index(service_database):
    """In a new database (no statistics yet) the generic plan of the settlement reading still looks the sender's
    settlement id up by the unique index, not by scanning the hospital's settlements in reconciliation's index."""
    engine = create_engine(Settings(database_url=service_database("medfund_adjudication")), generic_plans=True)
    try:
        async with driver.connection(engine) as db:
            await db.execute(f"PREPARE reading AS {settling._READING.sql}")
            args = settling._READING.args({"mdtrt_id": "M1", "medins_setl_id": "S1", "request_scope": "nhsa:H1",
                                              "request_key": "m1"})
            plan = "\n".join(row[0] for row in await db.fetch(
                f"EXPLAIN EXECUTE reading({', '.join(_literal(a) for a in args)})"))
    finally:
        await engine.dispose()
    assert "settlements_medins_setl_id_once" in plan
    assert "settlements_by_day" not in plan
    assert "settlements_by_admission" in plan, "the stay's earlier settlements (mid-stay deductible) by index"


async def test_a_simulation_reads_a_year_in_replay_order_off_the_index_without_sorting(service_database):
    """The replay streams up to millions of rows: for a year (and a shard of it) PostgreSQL must read them in the
    replay's order from ``settlements_by_region_year``, not sort them (sequential scans off, the table being
    new and empty)."""
    engine = create_async_engine(service_database("medfund_adjudication"))
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SET enable_seqscan = off")
            for shard in (None, Shard(1, 2)):
                query = replay_query(Period("211302", "390", 2026, None, None), shard)
                sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                plan = "\n".join(row[0] for row in await conn.exec_driver_sql(f"EXPLAIN {sql}"))
                assert "Index Scan using settlements_by_region_year" in plan and "Sort" not in plan, plan
    finally:
        await engine.dispose()
