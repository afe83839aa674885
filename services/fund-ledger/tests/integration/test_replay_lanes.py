"""The rebuild's replay lanes run as child processes: one that fails fails the replay with an error, promptly."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from medfund_ledger.adapters.rebuild import replay_topics
from medfund_shared.settings import Settings

pytestmark = pytest.mark.integration


async def test_a_lane_that_cannot_open_its_database_fails_the_replay(test_stack):
    settings = Settings(kafka_bootstrap=test_stack.kafka_bootstrap, service_name="fund-ledger",
                        topic_prefix=f"{test_stack.topic_prefix}lanes{secrets.token_hex(3)}.")
    with pytest.raises(RuntimeError, match="replay lane exited with 1"):
        await asyncio.wait_for(replay_topics(settings, "nosuchdialect://nowhere/medfund_ledger"), timeout=120)
