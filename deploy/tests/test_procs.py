"""Pid-file process control: it stops exactly what it started, children included, and nothing else."""

import os
import sys
import time
from pathlib import Path

import pytest

from medfund_deploy import procs
from medfund_deploy.errors import StackError

sys.path.insert(0, str(Path(__file__).parent))
from process_checks import ends_soon  # noqa: E402

SLEEPER = [sys.executable, "-c", "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"]


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid and stat[0] != "Z":
                found.append(int(entry.name))
    return found


def test_stop_ends_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    pid = procs.spawn(SLEEPER, log_file=tmp_path / "sleeper.log", pid_file=pid_file)
    deadline = time.monotonic() + 5
    while not _children_of(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    child = _children_of(pid)[0]

    assert procs.running_pid(pid_file) == pid
    assert procs.stop(pid_file, timeout=5) is True

    assert procs.running_pid(pid_file) is None
    assert not pid_file.exists()
    assert ends_soon(child)


def test_a_recycled_pid_is_not_ours(tmp_path: Path) -> None:
    pid_file = tmp_path / "other.pid"
    pid_file.write_text(f"{os.getpid()} 1\n")

    assert procs.running_pid(pid_file) is None
    assert procs.stop(pid_file) is False


def test_wait_until_names_what_failed_and_shows_its_log(tmp_path: Path) -> None:
    log = tmp_path / "thing.log"
    log.write_text("starting\nboom: port in use\n")
    with pytest.raises(StackError) as failure:
        procs.wait_until(lambda: False, what="thing", log_file=log, timeout=5, alive=lambda: False)
    message = str(failure.value)
    assert "thing exited during start-up" in message
    assert str(log) in message and "boom: port in use" in message
