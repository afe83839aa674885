"""One lane of a ledger replay, in its own process (started by :func:`medfund_ledger.adapters.rebuild.replay_topics`).

Reads its job on stdin (JSON: ``settings``, with the target database, and ``partitions``, ``[topic, partition,
end offset]`` each), replays those partitions into the target database and prints how many events it applied
(its logs go to stderr).
"""

from __future__ import annotations

import asyncio
import json
import sys

from aiokafka import TopicPartition

from medfund_ledger.adapters.rebuild import replay_lane
from medfund_shared.logging import configure_logging
from medfund_shared.settings import Settings


def main() -> None:
    job = json.load(sys.stdin)
    settings = Settings(**job["settings"])
    configure_logging(settings.log_level, settings.service_name)
    ends = {TopicPartition(topic, partition): end for topic, partition, end in job["partitions"]}
    print(asyncio.run(replay_lane(settings, ends)))


if __name__ == "__main__":
    main()
