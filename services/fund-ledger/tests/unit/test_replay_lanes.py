"""A replay lane applies its batch again after a transient error (two lanes' transactions may deadlock on a
balance row) and gives up on anything else at once."""

import pytest

from medfund_ledger.adapters import rebuild


class FlakyRunner:
    """Fails its first ``failures`` batches with ``error``, then applies them (a fake of the consumer runner)."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    async def apply_batch(self, batch):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return list(batch)


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    async def instantly(_seconds):
        return None
    monkeypatch.setattr(rebuild.asyncio, "sleep", instantly)


async def test_a_transient_error_is_retried_until_the_batch_applies():
    runner = FlakyRunner(failures=2, error=ConnectionResetError("deadlock undone"))
    assert await rebuild._apply(runner, {"p0": ["r"]}) == ["p0"]
    assert runner.calls == 3


async def test_a_transient_error_that_persists_fails_the_replay():
    runner = FlakyRunner(failures=rebuild.REPLAY_RETRIES, error=ConnectionResetError("down"))
    with pytest.raises(ConnectionResetError):
        await rebuild._apply(runner, {"p0": ["r"]})
    assert runner.calls == rebuild.REPLAY_RETRIES


async def test_any_other_error_fails_at_once():
    runner = FlakyRunner(failures=1, error=ValueError("a bug"))
    with pytest.raises(ValueError):
        await rebuild._apply(runner, {"p0": ["r"]})
    assert runner.calls == 1
