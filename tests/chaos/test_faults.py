"""Faults under load: every accepted request has exactly one effect everywhere.

While a bounded generated population enrolls, pays, gets covered and is settled through the public
APIs, each service in turn is SIGKILLed and restarted, then the Kafka broker and PostgreSQL are
restarted. Each fault waits until the client has requests in flight and fires then; the test fails if a
fault hit none (a fault between requests proves nothing). Afterwards the exactly-once equalities of
:mod:`exactly_once`: settlements in adjudication = settlement events on the topic (one event id per
settlement) = ledger journal entries; the pools' expense per fund and the individual contribution income
equal the sums of the accepted answers; no dead letters anywhere.
"""

from __future__ import annotations

import asyncio

import pytest
from exactly_once import Fault, FaultLog, assert_exactly_once, gather_evidence, query, restart
from medfund_bench.workload import Medfund, Unanswered
from population import COVERAGE_WAIT, drive

from medfund_deploy import kafka, postgres
from medfund_deploy.chaos import CHAOS, ServiceSet, restart_kafka, restart_postgres
from medfund_deploy.profiles import SERVICES

pytestmark = pytest.mark.chaos

PEOPLE = 24
STAYS_PER_PERSON = 2
CONCURRENCY = 6
FIRST_FAULT, FAULT_EVERY = 3.0, 2.0


def schedule(stack: ServiceSet) -> list[Fault]:
    """Each service SIGKILLed and restarted, then the broker and then the database restarted, a fault every
    ``FAULT_EVERY`` seconds: each recovers beside the next fault, so all hit the running load."""
    kills = [Fault(FIRST_FAULT + n * FAULT_EVERY, f"SIGKILL {service}",
                   lambda service=service: stack.sigkill(service), lambda service=service: restart(stack, service))
             for n, service in enumerate(SERVICES)]
    after = FIRST_FAULT + len(SERVICES) * FAULT_EVERY
    return [*kills, Fault(after, "restart Kafka", lambda: restart_kafka(CHAOS)),
            Fault(after + FAULT_EVERY, "restart PostgreSQL", lambda: restart_postgres(CHAOS))]


async def test_every_accepted_request_has_exactly_one_effect(chaos_stack: ServiceSet) -> None:
    api = Medfund({service: chaos_stack.url(service) for service in SERVICES})
    faults = FaultLog()
    try:
        await api.registry()
        run, _ = await asyncio.gather(drive(api, PEOPLE, STAYS_PER_PERSON, CONCURRENCY, seed=7),
                                      asyncio.to_thread(faults.run, api.in_flight, schedule(chaos_stack)))
        late = [p.psn_no for p in run.uncovered if await api.covered(p, 30)]
    finally:
        await api.close()
    errors, uncovered = run.errors, run.uncovered
    assert not [e for e in errors if not isinstance(e, Unanswered)], errors
    evidence = await gather_evidence(chaos_stack, api.accepted)

    print("\n--- fault suite ---")
    print("faults:", "; ".join(faults.lines))
    print(f"people {PEOPLE}, outcome {dict(run.outcome)}, client errors {len(errors)}, retries {dict(api.retries)}")
    print(evidence.report(api.accepted), "refusals:", dict(api.accepted.refused))
    if uncovered:
        coverage = await query(chaos_stack, "enrollment", "SELECT * FROM coverage_periods WHERE psn_no = ANY($1)",
                               [p.psn_no for p in uncovered])
        print(f"never covered within {COVERAGE_WAIT:.0f}s: {[p.psn_no for p in uncovered]}; covered later: {late}; "
              f"enrollment coverage rows: {[dict(r) for r in coverage]}")

    assert faults.missed() == [], "faults that hit no request in flight"
    assert not errors, f"cases without a definitive answer: {errors}"
    assert run.outcome["settled"] == PEOPLE * STAYS_PER_PERSON, run.outcome
    assert_exactly_once(evidence, api.accepted)
    assert kafka.running(CHAOS) is not None and postgres.running(CHAOS)
