"""The broker configuration the launcher writes: a single node bootstraps a quorum of itself; each node of a
three-node cluster names the three voters and replicates every partition three times, two in sync."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest

from medfund_deploy import kafka
from medfund_deploy.profiles import Profile


def _properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


@pytest.fixture
def scratch() -> Iterator[Profile]:
    profile = Profile(f"kafka-config-{os.getpid()}", postgres_port=1, kafka_port=20000, controller_port=20001,
                      first_service_port=4)
    yield profile
    shutil.rmtree(profile.state_dir, ignore_errors=True)


def test_a_single_node_bootstraps_its_own_quorum(scratch: Profile) -> None:
    written = _properties(kafka.write_config(scratch).read_text())
    assert written["node.id"] == "1"
    assert written["controller.quorum.bootstrap.servers"] == "127.0.0.1:20001"
    assert "controller.quorum.voters" not in written
    assert (written["default.replication.factor"], written["min.insync.replicas"]) == ("1", "1")


def test_each_node_of_a_cluster_names_every_voter_and_replicates_to_a_majority(scratch: Profile) -> None:
    cluster = Profile(scratch.name, postgres_port=1, kafka_port=20000, controller_port=20001, first_service_port=4,
                      brokers=3)
    written = _properties(kafka.write_config(cluster, 2).read_text())
    assert written["node.id"] == "2"
    assert written["controller.quorum.voters"] == "1@127.0.0.1:20001,2@127.0.0.1:21001,3@127.0.0.1:22001"
    assert written["listeners"] == "PLAINTEXT://127.0.0.1:21000,CONTROLLER://127.0.0.1:21001"
    assert [written[key] for key in ("default.replication.factor", "offsets.topic.replication.factor",
                                     "transaction.state.log.replication.factor")] == ["3", "3", "3"]
    assert (written["min.insync.replicas"], written["transaction.state.log.min.isr"]) == ("2", "2")
    assert written["log.dirs"] != _properties(kafka.write_config(cluster, 1).read_text())["log.dirs"]


def test_a_cluster_id_never_starts_with_a_dash_the_storage_tool_would_read_as_an_option(
        monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=b"\x10" + bytes(15))])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(drawn))

    cluster_id = kafka._cluster_id()

    assert cluster_id == "EAAAAAAAAAAAAAAAAAAAAA"
