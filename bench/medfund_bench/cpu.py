"""CPU each part of the stack spent during a timed run, read from ``/proc``: where a settlement's cost goes.

On this machine every part shares the same cores, so the rate at saturation is bounded by the cores divided by
the CPU one settlement costs across all of them; the split shows which part to make cheaper.
"""

from __future__ import annotations

import os
import resource
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from medfund_deploy.postgres import postmaster_pid
from medfund_deploy.procs import running_pid
from medfund_deploy.profiles import SERVICES, Profile

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
LOAD_GENERATOR = "load generator"
POSTGRES_SERVER = "PostgreSQL server processes"


@dataclass(frozen=True)
class ProcessCpu:
    pid: int
    ppid: int
    pgid: int
    seconds: float
    """User and system time so far."""
    cmdline: str
    reaped: float = 0.0
    """User and system time of its children that exited and were waited for (``cutime`` + ``cstime``)."""


def read_process(pid: int) -> ProcessCpu | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return ProcessCpu(pid, int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND,
                      cmdline, (int(fields[13]) + int(fields[14])) / TICKS_PER_SECOND)


def part_of(process: ProcessCpu, groups: dict[int, str], postmaster: int | None) -> str | None:
    """The stack part a process belongs to: a service or Kafka by its process group (the launcher starts each in
    its own), a PostgreSQL backend by the database its ``ps`` title names, the postmaster (which reaps the backends
    that exit) as the server; None for anything else."""
    if process.pgid in groups:
        return groups[process.pgid]
    if process.pid == postmaster:
        return POSTGRES_SERVER
    if postmaster is None or process.ppid != postmaster:
        return None
    title = process.cmdline.split()
    if len(title) > 2 and title[0] == "postgres:" and title[2].startswith("medfund_"):
        return f"PostgreSQL {title[2]}"
    return POSTGRES_SERVER


class StackCpu:
    """Snapshot at construction; :meth:`spent` gives the seconds each part used since, the load generator's
    included (it runs as this process's child and is waited for before :meth:`spent`)."""

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self._before = self._snapshot()
        self._children_before = self._children()

    def _groups(self) -> dict[int, str]:
        named = {service: service for service in SERVICES} | {"kafka": "Kafka"}
        return {pid: part for name, part in named.items()
                if (pid := running_pid(self._profile.run_dir / f"{name}.pid")) is not None}

    def _snapshot(self) -> dict[int, tuple[str, float]]:
        groups = self._groups()
        postmaster = postmaster_pid(self._profile)
        out = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (process := read_process(int(entry.name))) is not None:
                if (part := part_of(process, groups, postmaster)) is not None:
                    out[process.pid] = (part, process.seconds + process.reaped)
        return out

    @staticmethod
    def _children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def spent(self) -> dict[str, float]:
        """Seconds per part since the snapshot (see :func:`spent_between`), the load generator's included."""
        generator = self._children() - self._children_before
        return spent_between(self._before, self._snapshot()) | {LOAD_GENERATOR: generator}


def spent_between(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """Seconds per part between two snapshots of (part, own + reaped children's seconds) by pid.

    A process started meanwhile counts whole. One that exited meanwhile (a PostgreSQL backend whose connection
    closed, a worker) is no longer in ``/proc``: its whole time reached its parent's reaped time (the postmaster,
    a service's leader), so the time it had at the first snapshot, counted there already, is taken back out.
    """
    totals: dict[str, float] = defaultdict(float)
    for pid, (part, seconds) in after.items():
        totals[part] += seconds - before.get(pid, (part, 0.0))[1]
    for pid, (part, seconds) in before.items():
        if pid not in after:
            totals[part] -= seconds
    return dict(totals)


def per_operation(spent: dict[str, float], operations: int) -> list[tuple[str, float]]:
    """(part, ms an operation), largest first."""
    return sorted(((part, seconds * 1000 / operations) for part, seconds in spent.items()), key=lambda p: -p[1])


def breakdown(parts: list[tuple[str, float]]) -> str:
    """``part ms`` for the parts using at least 0.05 ms an operation."""
    return ", ".join(f"{part} {ms:.2f}" for part, ms in parts if ms >= 0.05)


def breakdown_us(parts: list[tuple[str, float]]) -> str:
    """``part µs`` for the parts using at least 1 µs an operation (``parts`` in ms, as :func:`per_operation`)."""
    return ", ".join(f"{part} {ms * 1000:.0f}" for part, ms in parts if ms >= 0.001)


def ceiling(parts: list[tuple[str, float]], cores: int) -> float:
    """Operations per second ``cores`` allow at this much CPU per operation (infinite when none was seen)."""
    total = sum(ms for _, ms in parts)
    return cores * 1000 / total if total > 0 else float("inf")
