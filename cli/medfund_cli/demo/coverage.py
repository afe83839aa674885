"""Whether the hospitals' gateway already knows the cover that enrollment announced.

A coverage event is on Kafka before adjudication has applied it; a card read in between is told
"not insured". Adjudication applies each partition of the enrollment topic in order, so once
``1101`` shows the latest activated person of every partition, it shows everyone activated
before them: a handful of card reads checks thousands of people.
"""

from __future__ import annotations

from datetime import datetime

from medfund_cli.demo import visits
from medfund_cli.demo.gateway import HisClient
from medfund_cli.demo.population import Person


class CoverageProbe:
    """Reads cards at one institution's HIS; remembers who was already seen insured."""

    def __init__(self, his: HisClient, people: dict[str, Person]) -> None:
        self.his, self.people = his, people
        self.seen: set[str] = set()

    async def missing(self, certnos: set[str], when: datetime) -> int:
        """How many of ``certnos`` (people of this demo) the gateway does not show insured yet."""
        waiting = {certno for certno in certnos if certno in self.people} - self.seen
        for certno in waiting:
            if await visits.insured(self.his, self.people[certno], when):
                self.seen.add(certno)
        return len(waiting - self.seen)
