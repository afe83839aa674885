"""The pooled engine's connection options, on a real database."""

from __future__ import annotations

import pytest

from medfund_shared.db import create_engine
from medfund_shared.settings import Settings


@pytest.mark.parametrize(("generic_plans", "mode"), [(False, "auto"), (True, "force_generic_plan")])
async def test_generic_plans_set_the_plan_cache_mode(service_database, generic_plans, mode):
    engine = create_engine(Settings(database_url=service_database("medfund_billing")), generic_plans=generic_plans)
    try:
        async with engine.connect() as connection:
            assert (await connection.exec_driver_sql("SHOW plan_cache_mode")).scalar_one() == mode
    finally:
        await engine.dispose()
