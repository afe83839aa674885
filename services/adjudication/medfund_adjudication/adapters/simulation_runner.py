"""Starts a simulation's worker process (:mod:`~medfund_adjudication.adapters.simulation_worker`)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

_RUNNING: set[asyncio.Task] = set()
"""The tasks waiting for the workers: a finished worker is reaped, not left a zombie."""


async def start(database_url: str, simulation_id: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "medfund_adjudication.adapters.simulation_worker", database_url, simulation_id,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    task = asyncio.create_task(process.wait())
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
