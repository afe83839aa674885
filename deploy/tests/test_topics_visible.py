"""The wait for a session's topics (``medfund_deploy.topics``) holds under load: a metadata request that times out
is asked again, and a topic counts only once every partition has a leader (issue 22, "make test" without reruns:
it once failed with "topics not visible in broker metadata after 15s")."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.errors import KafkaError, KafkaTimeoutError

from medfund_deploy import topics

NAMES = ["s.medfund.claims.v1"]


def described(leader: int = 0, partitions: int = topics.PARTITIONS, error_code: int = 0) -> list[dict]:
    return [{"topic": NAMES[0], "error_code": error_code, "partitions": [
        {"partition": p, "error_code": 0, "leader": leader} for p in range(partitions)]}]


class Broker:
    """Answers metadata requests from a script, one answer (or error) per request."""

    def __init__(self, *answers: object) -> None:
        self.answers, self.asked = list(answers), 0

    async def describe_topics(self, names: list[str]) -> list[dict]:
        self.asked += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_timeouts_and_partitions_without_a_leader_are_waited_out() -> None:
    broker = Broker(KafkaTimeoutError(), [], described(partitions=2), described(error_code=5), described(leader=-1),
                    described())
    asyncio.run(topics._until_visible(broker, NAMES, timeout=30))
    assert broker.asked == 6


def test_a_topic_never_served_fails_after_the_deadline_saying_what_was_seen() -> None:
    broker = Broker(described(leader=-1))
    with pytest.raises(KafkaError, match="not yet served"):
        asyncio.run(topics._until_visible(broker, NAMES, timeout=0.5))


def test_the_default_deadline_is_generous() -> None:
    assert topics.VISIBLE_TIMEOUT_SECONDS >= 120
