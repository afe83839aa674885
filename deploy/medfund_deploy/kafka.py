"""The Kafka broker without Docker: jars from Maven, single-node KRaft storage, ``kafka.Kafka`` on the JDK."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path
from string import Template

from medfund_deploy import procs
from medfund_deploy.errors import StackError
from medfund_deploy.profiles import CACHE_DIR, REPO_ROOT, Profile
from medfund_deploy.topics import broker_answers

KAFKA_VERSION = "4.1.1"
POM = REPO_ROOT / "deploy" / "pom.xml"
JARS_DIR = CACHE_DIR / f"kafka-libs-{KAFKA_VERSION}-{hashlib.sha256(POM.read_bytes()).hexdigest()[:10]}"
"""Keyed by the pom's content, so changing a dependency fetches a fresh set."""
TEMPLATES = REPO_ROOT / "deploy" / "kafka"
JVM_OPTIONS = ("-Xmx512m", "-Xms256m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true")
"""``TieredStopAtLevel=1`` keeps to the JIT's quick client compiler. A single broker carrying a county's traffic
runs nowhere near what its code can do, while the optimising compiler took most of a core for minutes after
every start on the two-core machine the stack shares. Measured on freshly started stacks under the same
settlement load: the broker's CPU from start to the end of the runs fell from 17.4 s to 9.9 s, and per
settlement from 0.28–0.51 ms to 0.16–0.17 ms."""
START_TIMEOUT = 90.0


def ensure_jars() -> Path:
    """Copy the broker's runtime jars from Maven into the cache, only when they are not there yet."""
    if any(JARS_DIR.glob(f"kafka_2.13-{KAFKA_VERSION}.jar")):
        return JARS_DIR
    if shutil.which("mvn") is None:
        raise StackError("Maven (mvn) is needed once to fetch the Kafka jars; run `make setup`")
    partial = JARS_DIR.with_name(JARS_DIR.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
         f"-DoutputDirectory={partial}", "-DincludeScope=runtime"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise StackError(f"fetching the Kafka jars with Maven failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    partial.rename(JARS_DIR)
    return JARS_DIR


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise StackError("a JDK (17+) is needed for Kafka; run `make setup`")
    return java


def _dirs(profile: Profile) -> tuple[Path, Path, Path]:
    """(config file, data folder, log file) of this profile's broker."""
    base = profile.state_dir / "kafka"
    return base / "server.properties", base / "data", profile.logs_dir / "kafka-server.log"


def _pid_file(profile: Profile) -> Path:
    return profile.run_dir / "kafka.pid"


def _java_argv(profile: Profile, main_class: str, *args: str) -> list[str]:
    return [
        _java(), *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={TEMPLATES / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={profile.logs_dir}",
        "-cp", f"{ensure_jars()}/*", main_class, *args,
    ]


def write_config(profile: Profile) -> Path:
    config, data, _ = _dirs(profile)
    config.parent.mkdir(parents=True, exist_ok=True)
    text = Template((TEMPLATES / "server.properties").read_text()).substitute(
        kafka_port=profile.kafka_port, controller_port=profile.controller_port, data_dir=data,
    )
    config.write_text(text)
    return config


def _format_storage(profile: Profile, config: Path) -> None:
    """Format the KRaft storage once; a formatted folder keeps its cluster id and its topics."""
    _, data, _ = _dirs(profile)
    if (data / "meta.properties").exists():
        return
    profile.logs_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        _java_argv(profile, "kafka.tools.StorageTool", "format", "--standalone",
                   "-t", _cluster_id(), "-c", str(config)),
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise StackError(f"formatting Kafka storage in {data} failed:\n{result.stdout}{result.stderr}")


def _cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def running(profile: Profile) -> int | None:
    return procs.running_pid(_pid_file(profile))


def start_kafka(profile: Profile) -> bool:
    """Start the broker unless ours already runs; wait until it accepts connections. True if started."""
    if running(profile) is not None:
        return False
    if procs.port_open(profile.kafka_port) or procs.port_open(profile.controller_port):
        raise StackError(
            f"port {profile.kafka_port} or {profile.controller_port} is taken by a process this launcher "
            f"did not start; stop it or free the port"
        )
    config = write_config(profile)
    _format_storage(profile, config)
    _, _, log_file = _dirs(profile)
    stdout_log = profile.logs_dir / "kafka.out"
    procs.spawn(_java_argv(profile, "kafka.Kafka", str(config)), log_file=stdout_log, pid_file=_pid_file(profile))
    procs.wait_until(
        lambda: _broker_ready(profile),
        what="Kafka",
        log_file=log_file if log_file.exists() else stdout_log,
        timeout=START_TIMEOUT,
        alive=lambda: running(profile) is not None,
    )
    return True


def _broker_ready(profile: Profile) -> bool:
    """Ready when the broker answers metadata requests, not merely when its port is open."""
    return procs.port_open(profile.kafka_port) and broker_answers(profile.kafka_bootstrap)


def stop_kafka(profile: Profile) -> bool:
    """Stop our broker (SIGTERM lets it close its logs cleanly). True if one was running."""
    return procs.stop(_pid_file(profile), timeout=30.0)


def restart_kafka(profile: Profile) -> None:
    """Stop and start the broker, keeping its data: what a broker outage looks like to the services."""
    stop_kafka(profile)
    start_kafka(profile)
