"""One more process of a service, on a free port, for tests of several instances on one database and broker.

Each is a uvicorn process of its own (its own pid, background workers, relay and consumers), started with the
``MEDFUND_*`` settings given, ready once ``/readyz`` answers 200, and stopped or SIGKILLed by its pid.
:func:`served_in_process` serves an app under uvicorn in the test's own process instead."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn

START_TIMEOUT = 60.0
UVICORN = Path(sys.executable).with_name("uvicorn")


def free_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def served_in_process(app) -> AsyncIterator[str]:
    """``app`` under uvicorn in this process on a free port: its base URL while the context lasts (what a console's
    browser or another service reaches over real HTTP in a test)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class ServiceInstance:
    """``package`` (e.g. ``medfund_billing``) served by one uvicorn process with ``env`` over the environment."""

    def __init__(self, package: str, env: dict[str, str], log_file: Path) -> None:
        self.package, self.env, self.log_file = package, env, log_file
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> ServiceInstance:
        argv = [str(UVICORN), f"{self.package}.main:create_app", "--factory", "--no-access-log",
                "--host", "127.0.0.1", "--port", str(self.port)]
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(argv, env={**os.environ, **self.env}, stdout=log, stderr=log,
                                            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.package} exited ({self.process.returncode}); see {self.log_file}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.package} not ready within {START_TIMEOUT} s; see {self.log_file}")
            time.sleep(0.2)
        return self

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is released."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
