"""Sessions sharing a test stack: only the last one out stops it, and only what tests started."""

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from medfund_deploy import leases, procs
from medfund_deploy.profiles import Profile


@pytest.fixture
def profile() -> Iterator[Profile]:
    scratch = Profile(f"leases-{os.getpid()}", postgres_port=1, kafka_port=2, controller_port=3, first_service_port=4)
    yield scratch
    shutil.rmtree(scratch.state_dir, ignore_errors=True)


def test_the_last_session_out_stops_what_tests_started(profile: Profile) -> None:
    stopped: list[list[str]] = []
    leases.join(profile, lambda: ["kafka", "postgres"])
    other = subprocess.Popen(["sleep", "30"])
    procs.write_pid_file(profile.run_dir / "test-sessions" / str(other.pid), other.pid)

    leases.leave(profile, stopped.append)
    assert stopped == []

    other.kill()
    other.wait()
    leases.join(profile, lambda: [])
    leases.leave(profile, stopped.append)
    assert stopped == [["kafka", "postgres"]]


def test_a_stack_no_test_started_is_never_stopped(profile: Profile) -> None:
    stopped: list[list[str]] = []
    leases.join(profile, lambda: [])
    leases.leave(profile, stopped.append)
    assert stopped == [[]]
