"""Two payments racing for one person-year: the account lock serialises them, so the premium is
completed exactly once and nothing paid is lost."""

from __future__ import annotations

import asyncio

import pytest
from billing_testkit import REGISTERED_AT, by_type, record, register, registered

pytestmark = pytest.mark.integration
PERSONS = 5


async def test_two_concurrent_halves_of_a_premium_complete_it_once_and_add_up(billing):
    certnos = {f"P{n}": f"50024019900101{n:04d}" for n in range(PERSONS)}
    for psn_no, certno in certnos.items():
        await register(billing, registered(psn_no, certno))
    posts = [billing.client.post("/v1/collections", json=record(f"{psn_no}-{half}", certno, amount="70.00"),
                                 headers=billing.headers())
             for psn_no, certno in certnos.items() for half in ("A", "B")]
    answers = await asyncio.gather(*posts)
    assert [a.status_code for a in answers] == [201] * 2 * PERSONS

    events = await billing.events(4 * PERSONS)
    for psn_no in certnos:
        received = [r for r in by_type(events, "contribution.received") if r["psn_no"] == psn_no]
        assert sorted((r["match"], r["paid_total"]) for r in received) == [("full", "140.00"), ("partial", "70.00")]
        assert len([p for p in by_type(events, "premium.paid_in_full") if p["psn_no"] == psn_no]) == 1
        assert len([s for s in by_type(events, "subsidy.allocated") if s["psn_no"] == psn_no]) == 1
    assert len(events) == 4 * PERSONS
    assert await billing.scalar("SELECT count(*) FROM premium_accounts WHERE paid_fen = 14000 AND paid_in_full") \
        == PERSONS


async def test_a_payment_racing_the_registration_is_matched_whichever_commits_first(billing):
    """The registration's search for suspended payments and a payment finding no account yet are
    serialised per person-year, so no payment is left unmatched once its person is known."""
    people = {f"R{n}": f"50024019910101{n:04d}" for n in range(30)}
    registrations = [billing.publish(registered(psn_no, certno), REGISTERED_AT) for psn_no, certno in people.items()]
    posts = [billing.client.post("/v1/collections", json=record(f"{psn_no}-V", certno), headers=billing.headers())
             for psn_no, certno in people.items()]
    answers = (await asyncio.gather(*registrations, *posts))[len(people):]
    assert [a.status_code for a in answers] == [201] * len(people)

    await billing.wait_for("SELECT count(*) FROM premium_accounts WHERE paid_in_full", len(people), timeout=60)
    assert await billing.scalar("SELECT count(*) FROM payments WHERE psn_no IS NULL") == 0
