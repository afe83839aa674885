"""Test sessions sharing one test stack: the last session to leave stops what a test session started.

Several pytest sessions may run at once in one work tree (with ``MEDFUND_TEST_REUSE_STACK=1``); the
session that started Kafka or PostgreSQL must not pull them from under the others. A stack started
by a person (``medfund stack up --profile test``) is never recorded here, so tests never stop it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from medfund_deploy import procs
from medfund_deploy.profiles import Profile


@contextmanager
def _locked(profile: Profile) -> Iterator[None]:
    profile.run_dir.mkdir(parents=True, exist_ok=True)
    with (profile.run_dir / "test-sessions.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _owned_file(profile: Profile) -> Path:
    return profile.run_dir / "started-by-tests"


def _sessions(profile: Profile) -> Path:
    return profile.run_dir / "test-sessions"


def join(profile: Profile, start: Callable[[], list[str]]) -> list[str]:
    """Run ``start`` (returns the components it started) and register this process as a user of the stack."""
    with _locked(profile):
        started = start()
        owned = _owned_file(profile)
        if started:
            previous = owned.read_text().split() if owned.exists() else []
            owned.write_text("\n".join(sorted({*previous, *started})) + "\n")
        procs.write_pid_file(_sessions(profile) / str(os.getpid()), os.getpid())
        return started


def leave(profile: Profile, stop: Callable[[list[str]], None]) -> None:
    """Unregister; when no other live session remains, ``stop`` the components test sessions started."""
    with _locked(profile):
        (_sessions(profile) / str(os.getpid())).unlink(missing_ok=True)
        sessions = _sessions(profile)
        others = [lease for lease in sessions.iterdir() if procs.running_pid(lease) is not None]
        if others:
            return
        owned = _owned_file(profile)
        components = owned.read_text().split() if owned.exists() else []
        stop(components)
        owned.unlink(missing_ok=True)
