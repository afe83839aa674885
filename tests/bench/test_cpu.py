"""The bench's CPU accounting: which stack part a process is, and the figures it prints."""

import os

import pytest
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
    assert cpu.part_of(process(300, 1, 300, "/usr/lib/postgresql/17/bin/postgres -D x"), groups,
                       postmaster) == cpu.POSTGRES_SERVER


def test_a_process_that_exited_during_the_run_counts_through_its_parents_reaped_time():
    """Backend 301 had 2.0 s at the start and exited at 5.0 s: the postmaster (300) reaped those 5.0 s, so the run
    spent 3.0 s of it; backend 302 started meanwhile and counts whole; the service's 1.5 s grew to 4.0 s."""
    ledger = "PostgreSQL medfund_ledger"
    before = {300: (cpu.POSTGRES_SERVER, 1.0), 301: (ledger, 2.0), 100: ("fund-ledger", 1.5)}
    after = {300: (cpu.POSTGRES_SERVER, 1.0 + 5.0), 302: (ledger, 0.5), 100: ("fund-ledger", 4.0)}

    spent = cpu.spent_between(before, after)

    assert spent[cpu.POSTGRES_SERVER] + spent[ledger] == pytest.approx(3.0 + 0.5)
    assert spent["fund-ledger"] == pytest.approx(2.5)


def test_reaped_children_time_is_read_from_proc():
    me = cpu.read_process(os.getpid())
    assert me is not None and me.reaped >= 0


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


def test_a_cheap_operation_is_shown_in_microseconds():
    """A million tax-file lines on 150 s of billing CPU and 40 s of its database: 150 and 40 µs a line."""
    parts = cpu.per_operation({"billing": 150.0, "PostgreSQL medfund_billing": 40.0, "Kafka": 0.5}, 1_000_000)
    assert cpu.breakdown_us(parts) == "billing 150, PostgreSQL medfund_billing 40"
