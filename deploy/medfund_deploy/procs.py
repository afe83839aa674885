"""Detached processes tracked by pid files: start them, find them again, stop exactly them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from medfund_deploy.errors import StackError


def tail(path: Path, lines: int = 25) -> str:
    """The end of a log, to put in an error message."""
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _reap(pid: int, wait: bool = False) -> None:
    """Collect a child of ours that exited, so it does not linger as a zombie."""
    try:
        os.waitpid(pid, 0 if wait else os.WNOHANG)
    except ChildProcessError:
        pass


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid``: with the pid it identifies one process, even after pid reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _has_live_thread(pid: int) -> bool:
    """True while any thread runs; the JVM's first thread can exit and leave the others serving."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tasks:
        try:
            state = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            return True
    return False


def running_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file`` if that very process (same start time) still runs.

    The start time guards against a recycled pid: we never signal a process we did not start.
    """
    try:
        pid_text, started = pid_file.read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    _reap(pid)
    if _start_time(pid) != started or not _has_live_thread(pid):
        return None
    return pid


def spawn(argv: Sequence[str], *, log_file: Path, pid_file: Path, env: Mapping[str, str] | None = None) -> int:
    """Start a process in its own session (it outlives us and is stopped as a group); record its pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    write_pid_file(pid_file, proc.pid)
    return proc.pid


def write_pid_file(pid_file: Path, pid: int) -> None:
    """Record ``pid`` with its start time, the pair :func:`running_pid` checks."""
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{pid} {_start_time(pid)}\n")


def stop(pid_file: Path, timeout: float = 20.0) -> bool:
    """SIGTERM the recorded process group, SIGKILL it after ``timeout``; True if something was stopped."""
    pid = running_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running_pid(pid_file) is not None:
        time.sleep(0.1)
    if running_pid(pid_file) is not None:
        _signal_group(pid, signal.SIGKILL)
        while running_pid(pid_file) is not None:
            time.sleep(0.05)
    _reap(pid, wait=True)
    pid_file.unlink(missing_ok=True)
    return True


def kill(pid_file: Path, timeout: float = 10.0) -> int | None:
    """SIGKILL the recorded process group (no shutdown hooks run), wait until it is gone; the pid killed."""
    pid = running_pid(pid_file)
    if pid is None:
        return None
    _signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while running_pid(pid_file) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    log_file: Path,
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
) -> None:
    """Poll ``ready`` until true; fail naming ``what`` and showing its log if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not alive():
            raise StackError(f"{what} exited during start-up; log {log_file}:\n{tail(log_file)}")
        time.sleep(0.25)
    raise StackError(f"{what} was not ready after {timeout:.0f}s; log {log_file}:\n{tail(log_file)}")
