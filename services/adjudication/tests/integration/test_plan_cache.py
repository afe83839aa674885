"""The service's connections plan each prepared statement once (``generic_plans`` in its definition)."""

from __future__ import annotations

from medfund_adjudication.main import definition
from medfund_shared.service import create_service_app


async def test_the_service_connections_use_generic_plans(adjudication_settings):
    app = create_service_app(definition(), adjudication_settings)
    async with app.router.lifespan_context(app), app.state.context.engine.connect() as connection:
        assert (await connection.exec_driver_sql("SHOW plan_cache_mode")).scalar_one() == "force_generic_plan"
