"""The bench's CPU accounting: which stack part a process is, and the figures it prints."""

import os

from medfund_bench import cpu


def process(pid: int, ppid: int, pgid: int, cmdline: str, seconds: float = 1.0) -> cpu.ProcessCpu:
    return cpu.ProcessCpu(pid, ppid, pgid, seconds, cmdline)


def test_services_and_kafka_are_known_by_process_group_and_backends_by_database():
    groups, postmaster = {100: "adjudication", 200: "Kafka"}, 300
    assert cpu.part_of(process(101, 100, 100, "python -c spawn_main"), groups, postmaster) == "adjudication"
    assert cpu.part_of(process(200, 1, 200, "java kafka.Kafka"), groups, postmaster) == "Kafka"
    backend = process(301, 300, 300, "postgres: medfund medfund_ledger 127.0.0.1(5000) idle")
    assert cpu.part_of(backend, groups, postmaster) == "PostgreSQL medfund_ledger"
    walwriter = process(302, 300, 300, "postgres: walwriter")
    assert cpu.part_of(walwriter, groups, postmaster) == cpu.POSTGRES_SERVER
    assert cpu.part_of(process(400, 1, 400, "sshd"), groups, postmaster) is None


def test_the_figures_are_per_operation_largest_first_and_bound_the_rate():
    parts = cpu.per_operation({"adjudication": 4.0, "Kafka": 0.04, "PostgreSQL medfund_adjudication": 2.0}, 2000)
    assert parts == [("adjudication", 2.0), ("PostgreSQL medfund_adjudication", 1.0), ("Kafka", 0.02)]
    assert cpu.breakdown(parts) == "adjudication 2.00, PostgreSQL medfund_adjudication 1.00"
    assert round(cpu.ceiling(parts, cores=2)) == round(2 * 1000 / 3.02)


def test_this_process_is_read_from_proc():
    me = cpu.read_process(os.getpid())
    assert me is not None and me.pid == os.getpid() and me.seconds > 0 and "python" in me.cmdline
    assert cpu.read_process(2**22 + 7) is None


def test_no_cpu_seen_bounds_nothing():
    assert cpu.ceiling([], cores=2) == float("inf")
