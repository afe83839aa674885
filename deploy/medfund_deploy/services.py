"""The four FastAPI services under uvicorn, each detached with its own log and pid file."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

from medfund_deploy import procs
from medfund_deploy.errors import StackError
from medfund_deploy.profiles import SERVICES, Profile

START_TIMEOUT = 180.0
UVICORN = Path(sys.executable).with_name("uvicorn")


def package(service: str) -> str:
    return f"medfund_{service}"


def _process_name(service: str, instance: int) -> str:
    """``billing`` for the first instance (its files named as they always were), ``billing-2`` for the second."""
    return service if instance == 1 else f"{service}-{instance}"


def _pid_file(profile: Profile, service: str, instance: int = 1) -> Path:
    return profile.run_dir / f"{_process_name(service, instance)}.pid"


def log_file(profile: Profile, service: str, instance: int = 1) -> Path:
    return profile.logs_dir / f"{_process_name(service, instance)}.log"


def metrics_dir(profile: Profile, service: str, instance: int = 1) -> Path:
    """The instance's ``PROMETHEUS_MULTIPROC_DIR``: its workers' metric files, summed by every worker's ``/metrics``
    (each instance answers for its own workers; Prometheus scrapes every instance)."""
    return profile.run_dir / "metrics" / _process_name(service, instance)


def _fresh_metrics_dir(profile: Profile, service: str, instance: int) -> Path:
    """Emptied before each start: files left by a previous run would be added to the new run's counters."""
    directory = metrics_dir(profile, service, instance)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


def url(profile: Profile, service: str, instance: int = 1) -> str:
    return f"http://127.0.0.1:{profile.service_port(service, instance)}"


def running(profile: Profile, service: str, instance: int = 1) -> int | None:
    return procs.running_pid(_pid_file(profile, service, instance))


def ready(profile: Profile, service: str, instance: int = 1) -> bool:
    """``/readyz`` answers 200 once the service reaches its database and Kafka."""
    try:
        with urllib.request.urlopen(f"{url(profile, service, instance)}/readyz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def workers(profile: Profile, service: str) -> int:
    """Worker processes of ``service``: ``MEDFUND_<SERVICE>_WORKERS`` (e.g. ``MEDFUND_ADJUDICATION_WORKERS=2``), else
    the profile's number (the dev stack runs two of adjudication), else 1.

    Workers share the port; each runs its own consumers (one group, partitions split) and relay
    (one publishes at a time: the advisory lock), so any count is safe.
    """
    value = os.environ.get(f"MEDFUND_{service.upper().replace('-', '_')}_WORKERS",
                           str(dict(profile.workers).get(service, 1)))
    if not value.isdigit() or int(value) < 1:
        raise StackError(f"MEDFUND_{service.upper()}_WORKERS must be a positive whole number, not {value!r}")
    return int(value)


def start_service(profile: Profile, service: str, *, database_url: str, topic_prefix: str = "",
                  instance: int = 1) -> bool:
    """Start one instance of a service unless ours runs already; wait for ``/readyz``. True if started.

    Every instance of a service gets the same database, broker and topic prefix, so they share its consumer
    groups and its outbox, as instances on several hosts would.

    uvicorn's plain-text access log is off: requests are counted and timed by route in ``/metrics``, refusals
    and failures are logged as structured events, and a line per settlement cost a few per cent of the gateway."""
    if running(profile, service, instance) is not None:
        return False
    if importlib.util.find_spec(f"{package(service)}.main") is None:
        raise StackError(f"{package(service)}.main (the create_app factory) does not exist yet; cannot start {service}")
    port = profile.service_port(service, instance)
    if procs.port_open(port):
        raise StackError(f"port {port} for {service} is taken by a process this launcher did not start")
    env = {
        **os.environ,
        "MEDFUND_DATABASE_URL": database_url,
        "MEDFUND_KAFKA_BOOTSTRAP": profile.kafka_bootstrap,
        "MEDFUND_TOPIC_PREFIX": topic_prefix,
        "MEDFUND_SERVICE_URLS": json.dumps({name: url(profile, name, instance) for name in SERVICES}),
        "MEDFUND_ENV": os.environ.get("MEDFUND_ENV", "development"),
        "PROMETHEUS_MULTIPROC_DIR": str(_fresh_metrics_dir(profile, service, instance)),
    }
    argv = [str(UVICORN), f"{package(service)}.main:create_app", "--factory", "--no-access-log",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers(profile, service))]
    log = log_file(profile, service, instance)
    procs.spawn(argv, log_file=log, pid_file=_pid_file(profile, service, instance), env=env)
    procs.wait_until(
        lambda: ready(profile, service, instance),
        what=f"service {_process_name(service, instance)} (port {port})",
        log_file=log,
        timeout=START_TIMEOUT,
        alive=lambda: running(profile, service, instance) is not None,
    )
    return True


def stop_service(profile: Profile, service: str, instance: int = 1) -> bool:
    return procs.stop(_pid_file(profile, service, instance), timeout=15.0)


def stop_every_instance(profile: Profile, service: str) -> bool:
    """Stop whatever instances of ``service`` this launcher started, however many; True if any was running."""
    pid_files = [_pid_file(profile, service), *profile.run_dir.glob(f"{service}-*.pid")]
    return any([procs.stop(pid_file, timeout=15.0) for pid_file in pid_files])


def kill_service(profile: Profile, service: str, instance: int = 1) -> int | None:
    """SIGKILL one instance (no shutdown hooks run); the pid killed, None when it was not running."""
    return procs.kill(_pid_file(profile, service, instance))
