"""Kafka without Docker: jars from Maven, KRaft storage, ``kafka.Kafka`` on the JDK: one node, or a cluster of several
(each node a broker and a voter of the controller quorum)."""

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
START_TIMEOUT = 180.0


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


def _node_name(profile: Profile, node: int) -> str:
    """``kafka`` for a single broker (its folders and pid file as they always were), ``kafka-<n>-of-<N>`` in a
    cluster: a cluster's storage is formatted for its quorum and never mixed with a single broker's."""
    return "kafka" if profile.brokers == 1 else f"kafka-{node}-of-{profile.brokers}"


def _nodes(profile: Profile) -> range:
    return range(1, profile.brokers + 1)


def _dirs(profile: Profile, node: int = 1) -> tuple[Path, Path, Path]:
    """(config file, data folder, log folder) of one node of this profile's Kafka."""
    name = _node_name(profile, node)
    base = profile.state_dir / name
    logs = profile.logs_dir if profile.brokers == 1 else profile.logs_dir / name
    return base / "server.properties", base / "data", logs


def server_log(profile: Profile, node: int = 1) -> Path:
    return _dirs(profile, node)[2] / "kafka-server.log"


def _pid_file(profile: Profile, node: int = 1) -> Path:
    return profile.run_dir / f"{_node_name(profile, node)}.pid"


def _java_argv(profile: Profile, main_class: str, *args: str, node: int = 1) -> list[str]:
    return [
        _java(), *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={TEMPLATES / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={_dirs(profile, node)[2]}",
        "-cp", f"{ensure_jars()}/*", main_class, *args,
    ]


def _quorum(profile: Profile) -> str:
    """A single broker bootstraps a dynamic quorum of itself; a cluster names its static voters, every node."""
    if profile.brokers == 1:
        return f"controller.quorum.bootstrap.servers=127.0.0.1:{profile.controller_port}"
    return "controller.quorum.voters=" + ",".join(
        f"{node}@127.0.0.1:{profile.controller_port_of(node)}" for node in _nodes(profile))


def write_config(profile: Profile, node: int = 1) -> Path:
    config, data, _ = _dirs(profile, node)
    config.parent.mkdir(parents=True, exist_ok=True)
    text = Template((TEMPLATES / "server.properties").read_text()).substitute(
        node_id=node, quorum=_quorum(profile), kafka_port=profile.broker_port(node),
        controller_port=profile.controller_port_of(node), data_dir=data,
        replication_factor=profile.replication_factor, min_insync_replicas=profile.min_insync_replicas,
    )
    config.write_text(text)
    return config


def _format_storage(profile: Profile, configs: dict[int, Path]) -> None:
    """Format the KRaft storage once, every node of a cluster with one cluster id; a formatted folder keeps its
    cluster id and its topics. A cluster whose nodes are only partly formatted is formatted again from empty."""
    formatted = {node: (_dirs(profile, node)[1] / "meta.properties").exists() for node in configs}
    if all(formatted.values()):
        return
    if any(formatted.values()):
        for node in configs:
            shutil.rmtree(_dirs(profile, node)[1], ignore_errors=True)
    cluster_id = _cluster_id()
    mode = ("--standalone",) if profile.brokers == 1 else ()
    for node, config in configs.items():
        _dirs(profile, node)[2].mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            _java_argv(profile, "kafka.tools.StorageTool", "format", *mode, "-t", cluster_id, "-c", str(config),
                       node=node),
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise StackError(f"formatting Kafka storage of node {node} failed:\n{result.stdout}{result.stderr}")


def _cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64 without padding.

    Like Kafka's own ``Uuid.randomUuid``, never one that starts with ``-``: the storage tool would read it as an
    option (one id in 64 did, and formatting failed)."""
    while (cluster_id := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")).startswith("-"):
        continue
    return cluster_id


def running(profile: Profile, node: int = 1) -> int | None:
    """The pid of one Kafka node of ours, if it runs."""
    return procs.running_pid(_pid_file(profile, node))


def start_kafka(profile: Profile) -> bool:
    """Start every node of this profile's Kafka that is not running; wait until each answers. True if any started.

    The nodes of a cluster are all spawned before any is waited for: a node serves only once a majority of the
    controller quorum is up."""
    stopped = [node for node in _nodes(profile) if running(profile, node) is None]
    if not stopped:
        return False
    for node in stopped:
        if procs.port_open(profile.broker_port(node)) or procs.port_open(profile.controller_port_of(node)):
            raise StackError(
                f"port {profile.broker_port(node)} or {profile.controller_port_of(node)} is taken by a process this "
                f"launcher did not start; stop it or free the port"
            )
    _format_storage(profile, {node: write_config(profile, node) for node in _nodes(profile)})
    for node in stopped:
        _spawn(profile, node)
    for node in stopped:
        _wait_ready(profile, node)
    return True


def start_node(profile: Profile, node: int) -> None:
    """Start one stopped node of a cluster (its storage kept) and wait until it serves again."""
    if running(profile, node) is not None:
        return
    write_config(profile, node)
    _spawn(profile, node)
    _wait_ready(profile, node)


def _spawn(profile: Profile, node: int) -> None:
    config, _, logs = _dirs(profile, node)
    procs.spawn(_java_argv(profile, "kafka.Kafka", str(config), node=node), log_file=logs / "kafka.out",
                pid_file=_pid_file(profile, node))


def _wait_ready(profile: Profile, node: int) -> None:
    main_log, stdout_log = server_log(profile, node), _dirs(profile, node)[2] / "kafka.out"
    procs.wait_until(
        lambda: _broker_ready(profile, node),
        what="Kafka" if profile.brokers == 1 else f"Kafka node {node}",
        log_file=main_log if main_log.exists() else stdout_log,
        timeout=START_TIMEOUT,
        alive=lambda: running(profile, node) is not None,
    )


def _broker_ready(profile: Profile, node: int) -> bool:
    """Ready when the broker answers metadata requests, not merely when its port is open."""
    address = f"127.0.0.1:{profile.broker_port(node)}"
    return procs.port_open(profile.broker_port(node)) and broker_answers(address)


def kill_node(profile: Profile, node: int) -> int:
    """SIGKILL one node (no clean shutdown: its log is recovered at the next start); return the pid killed."""
    pid = running(profile, node)
    if pid is None:
        raise StackError(f"Kafka node {node} of profile {profile.name} is not running")
    procs.kill(_pid_file(profile, node))
    return pid


def stop_kafka(profile: Profile) -> bool:
    """Stop every node of ours, a cluster's and a single broker's alike (SIGTERM lets each close its logs
    cleanly). True if one was running."""
    stopped = [procs.stop(pid_file, timeout=30.0) for pid_file in sorted(profile.run_dir.glob("kafka*.pid"))]
    return any(stopped)


def restart_kafka(profile: Profile) -> None:
    """Stop and start the broker, keeping its data: what a broker outage looks like to the services."""
    stop_kafka(profile)
    start_kafka(profile)
