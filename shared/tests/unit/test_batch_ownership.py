"""The batch-ownership rules with a fake clock: one owner at a time, renewal only by the owner, takeover once a
lease has expired, and the worker's heartbeat stopping the work when the lease is lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from medfund_shared.batch_ownership import FREE, BatchWorker, Lease, LeaseLost, Ownership
from medfund_shared.settings import Settings

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LENGTH = timedelta(seconds=30)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_a_free_batch_is_claimed_for_the_lease_length():
    assert FREE.claimed("a", T0, LENGTH) == Lease("a", T0 + LENGTH)


def test_a_live_lease_keeps_everyone_else_out():
    lease = FREE.claimed("a", T0, LENGTH)
    assert not lease.claimable_by("b", T0 + timedelta(seconds=29))
    with pytest.raises(LeaseLost):
        lease.claimed("b", T0 + timedelta(seconds=29), LENGTH)


def test_an_expired_lease_is_taken_over_and_the_old_owner_can_no_longer_renew():
    taken = FREE.claimed("a", T0, LENGTH).claimed("b", T0 + LENGTH, LENGTH)
    assert taken == Lease("b", T0 + 2 * LENGTH)
    with pytest.raises(LeaseLost):
        taken.renewed("a", T0 + LENGTH, LENGTH)


def test_the_owner_renews_even_late_while_nobody_took_the_batch():
    lease = FREE.claimed("a", T0, LENGTH)
    assert lease.renewed("a", T0 + 2 * LENGTH, LENGTH) == Lease("a", T0 + 3 * LENGTH)


def test_a_batch_its_owner_is_applying_is_not_free_for_that_owners_worker_either():
    lease = FREE.claimed("a", T0, LENGTH)
    assert lease.claimable_by("a", T0 + timedelta(seconds=29))
    assert not lease.free_at(T0 + timedelta(seconds=29))
    assert lease.free_at(T0 + LENGTH)


class MemoryLeases:
    """The rules of ``Lease`` over a dict, with the fake clock: the store the worker sees."""

    def __init__(self, clock: FakeClock, batches: list[str]) -> None:
        self.clock, self.leases = clock, {batch: FREE for batch in batches}
        self.done: set[str] = set()

    async def claim_next(self, owner: str) -> str | None:
        for batch, lease in self.leases.items():
            if batch not in self.done and lease.free_at(self.clock()):
                self.leases[batch] = lease.claimed(owner, self.clock(), LENGTH)
                return batch
        return None

    async def renew(self, batch_id: str, owner: str) -> None:
        self.leases[batch_id] = self.leases[batch_id].renewed(owner, self.clock(), LENGTH)

    async def give_up(self, batch_id: str, owner: str) -> None:
        if self.leases[batch_id].owner == owner:
            self.leases[batch_id] = FREE


SETTINGS = Settings(batch_lease_seconds=30, batch_heartbeat_seconds=0.01, batch_poll_seconds=0.01)


async def test_two_workers_never_hold_one_batch_and_a_stalled_owner_is_taken_over_and_stopped():
    clock = FakeClock()
    store = MemoryLeases(clock, ["b1"])
    started, runs = asyncio.Event(), []

    async def stall(ownership: Ownership) -> None:
        runs.append(ownership.owner)
        started.set()
        await asyncio.Event().wait()

    async def finish(ownership: Ownership) -> None:
        runs.append(ownership.owner)
        store.done.add(ownership.batch_id)

    first = BatchWorker("first", store, stall, SETTINGS, owner="first")
    second = BatchWorker("second", store, finish, SETTINGS, owner="second")
    stalled = asyncio.create_task(first.work_on(await store.claim_next("first")))
    await started.wait()
    assert await store.claim_next("second") is None
    clock.advance(31)
    store.leases["b1"] = store.leases["b1"].claimed("second", clock(), LENGTH)
    await asyncio.wait_for(stalled, 5)
    await second.work_on("b1")
    assert runs == ["first", "second"] and store.done == {"b1"}


async def test_the_heartbeat_keeps_a_slow_batch_its_owners():
    clock = FakeClock()
    store = MemoryLeases(clock, ["b1"])
    release = asyncio.Event()

    async def slow(ownership: Ownership) -> None:
        await release.wait()
        store.done.add(ownership.batch_id)

    worker = BatchWorker("only", store, slow, SETTINGS, owner="only")
    work = asyncio.create_task(worker.work_on(await store.claim_next("only")))
    for _ in range(5):
        clock.advance(20)
        await asyncio.sleep(0.05)
        assert await store.claim_next("other") is None
    release.set()
    await asyncio.wait_for(work, 5)
    assert store.done == {"b1"}


async def test_a_stopping_worker_frees_its_batch_at_once():
    clock = FakeClock()
    store = MemoryLeases(clock, ["b1"])
    claimed = asyncio.Event()

    async def endless(ownership: Ownership) -> None:
        claimed.set()
        await asyncio.Event().wait()

    running = asyncio.create_task(BatchWorker("w", store, endless, SETTINGS, owner="w").run())
    await asyncio.wait_for(claimed.wait(), 5)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert store.leases["b1"] == FREE


async def test_a_batch_applied_in_its_request_keeps_its_lease_while_the_request_runs():
    clock = FakeClock()
    store = MemoryLeases(clock, ["b1"])
    worker = BatchWorker("w", store, lambda ownership: asyncio.sleep(0), SETTINGS, owner="w")
    assert await store.claim_next("w") == "b1"
    async with worker.holding("b1") as ownership:
        for _ in range(5):
            clock.advance(20)
            await asyncio.sleep(0.05)
            assert await store.claim_next("other") is None
    assert ownership == Ownership("b1", "w")
    clock.advance(31)
    assert await store.claim_next("other") == "b1"


def test_the_heartbeat_must_be_shorter_than_the_lease():
    with pytest.raises(ValueError, match="batch_heartbeat_seconds"):
        Settings(batch_lease_seconds=5, batch_heartbeat_seconds=5)
