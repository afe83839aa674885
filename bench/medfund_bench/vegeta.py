"""The timed requests go through vegeta (``make bench`` installs the pinned version), not through Python.

A Python HTTP client costs a few milliseconds of CPU per request, a large share of a two-core machine, and
it would be measuring itself. vegeta attacks from a file of JSON targets read lazily (``-lazy``): each
target is sent once and the attack ends when the file does. Read eagerly, vegeta cycles through the targets
again, and a resent ``2304`` is a msgid replay, far cheaper than a settlement. ``saturate`` keeps a fixed
number of requests in flight (closed loop); ``fixed_rate`` starts them on vegeta's schedule, adding workers
when all are busy (open loop, no coordinated omission).
"""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from medfund_bench.loadgen import Result

BINARY = Path(__file__).resolve().parents[2] / ".state" / "tools" / "bin" / "vegeta"
END_OF_TARGETS = "no targets to attack"
"""vegeta's error for a hit that found the target file exhausted: nothing was sent, the attack stops."""
TIMEOUT = "30s"
IDLE_CONNECTIONS = 512
"""Idle keep-alive connections vegeta keeps per host: more than the workers, so none is reopened mid-run."""
FIXED_RATE_WORKERS = 32
"""Workers ready at the start of a fixed-rate attack; vegeta adds more whenever all of them are waiting."""


@dataclass(frozen=True)
class Target:
    url: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"


@dataclass(frozen=True)
class Hit:
    """One request as vegeta recorded it; times are wall-clock seconds (``time.time()``'s clock)."""

    code: int
    started: float
    latency: float
    body: bytes
    error: str

    @property
    def answered(self) -> float:
        return self.started + self.latency


def binary() -> Path:
    if not BINARY.is_file():
        raise RuntimeError(f"vegeta is not installed at {BINARY}: `make bench` installs it (it needs Go)")
    return BINARY


def write_targets(targets: Iterable[Target], path: Path) -> int:
    """vegeta's JSON target format, one per line (every line ends in a newline: vegeta drops a last line
    without one); returns how many were written."""
    count = 0
    with path.open("w") as out:
        for target in targets:
            out.write(json.dumps({"method": target.method, "url": target.url,
                                  "header": {name: [value] for name, value in target.headers.items()},
                                  "body": base64.b64encode(target.body).decode()}) + "\n")
            count += 1
    return count


def parse_hits(lines: Iterable[str]) -> list[Hit]:
    """``vegeta encode --to json`` lines as hits, leaving out the end-of-targets marks (no request behind them)."""
    hits = []
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        if record["error"] == END_OF_TARGETS:
            continue
        hits.append(Hit(code=record["code"], started=datetime.fromisoformat(record["timestamp"]).timestamp(),
                        latency=record["latency"] / 1e9, body=base64.b64decode(record["body"] or ""),
                        error=record["error"]))
    return hits


def summary(hits: list[Hit], ok: int, requests: int | None = None) -> Result:
    """``ok`` of ``requests`` (default: the hits) succeeded, the others failed; every hit's latency (a request that
    got no answer waited its timeout or until its error), and seconds from the first start to the last answer."""
    seconds = max(hit.answered for hit in hits) - min(hit.started for hit in hits) if hits else 0.0
    sent = len(hits) if requests is None else requests
    return Result(ok=ok, failed=sent - ok, seconds=seconds, latencies=[hit.latency for hit in hits])


def p99_each_second(hits: list[Hit]) -> list[float | None]:
    """The p99 latency (ms, nearest rank) of the requests started in each second of a run, from its first start
    (``None``: none started in that second): a stall (a checkpoint, a vacuum, a lock queue) shows as the seconds
    it spoils rather than in one p99."""
    if not hits:
        return []
    first = min(hit.started for hit in hits)
    seconds: dict[int, list[float]] = {}
    for hit in hits:
        seconds.setdefault(int(hit.started - first), []).append(hit.latency)
    return [Result(latencies=seconds[n]).percentile(99) if n in seconds else None for n in range(max(seconds) + 1)]


def in_order(hits: list[Hit], keys: list[str], key_of: Callable[[bytes], str | None]) -> list[Hit | None]:
    """The hit of each target, matched by ``key_of(body)`` to the target's key (``None``: no hit at all).

    vegeta's sequence numbers are not the targets' order (they are taken before a worker reads its target).
    A hit whose body names no key (a timeout, a connection error, a 5xx that is no gateway answer) is a request
    that got no answer: such hits fill the targets left without an answer, in the order they were started
    (vegeta reads the targets file in order), so they count as failed requests with their latency.
    Two answers with one key mean a target was sent twice, which would make the figures a replay's: refused.
    """
    by_key: dict[str, Hit] = {}
    unanswered: list[Hit] = []
    for hit in hits:
        key = key_of(hit.body) if hit.body else None
        if key is None:
            unanswered.append(hit)
            continue
        if key in by_key:
            raise RuntimeError(f"vegeta sent {key} twice: the attack replayed its targets")
        by_key[key] = hit
    unanswered.sort(key=lambda hit: hit.started)
    fill = iter(unanswered)
    return [by_key[key] if key in by_key else next(fill, None) for key in keys]


async def saturate(targets: Iterable[Target], workers: int) -> list[Hit]:
    """Every target once, ``workers`` requests in flight: ``-rate=0`` with that many workers at most."""
    return await _attack(targets, "-rate=0", f"-workers={workers}", f"-max-workers={workers}")


async def fixed_rate(targets: Iterable[Target], rate: float) -> list[Hit]:
    """Every target once, ``rate`` per second on vegeta's schedule (the run lasts targets / rate seconds)."""
    return await _attack(targets, f"-rate=1/{round(1e9 / rate)}ns", f"-workers={FIXED_RATE_WORKERS}")


async def _attack(targets: Iterable[Target], *pace: str) -> list[Hit]:
    vegeta = str(binary())
    with tempfile.TemporaryDirectory(prefix="medfund-vegeta-") as work:
        targets_file, results_file = Path(work) / "targets.json", Path(work) / "results.bin"
        if not write_targets(targets, targets_file):
            return []
        await _run(vegeta, "attack", "-lazy", "-format=json", f"-targets={targets_file}", *pace,
                   f"-timeout={TIMEOUT}", "-keepalive=true", f"-connections={IDLE_CONNECTIONS}",
                   f"-output={results_file}")
        encoded = await _run(vegeta, "encode", "--to", "json", str(results_file))
    return parse_hits(encoded.decode().splitlines())


async def _run(*command: str) -> bytes:
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} failed ({process.returncode}): {err.decode()[-2000:]}")
    return out
