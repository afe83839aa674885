"""Logs: resident ID numbers never appear in full; the correlation id is on every line."""

import json
import logging

import structlog

from medfund_shared.logging import configure_logging, correlation_from_headers, correlation_scope, mask_certno


def test_an_id_number_keeps_only_its_first_six_and_last_four():
    assert mask_certno("certno=110101195403021234") == "certno=110101********1234"
    assert mask_certno("11010119540302123X 张三") == "110101********123X 张三"


def test_other_numbers_are_left_alone():
    assert mask_certno("setl_id 1234567890123456789 amount 12345") == "setl_id 1234567890123456789 amount 12345"


def test_every_string_of_a_log_line_is_masked_and_carries_the_correlation_id(capsys):
    configure_logging("INFO")
    with correlation_scope("corr-42"):
        structlog.get_logger("t").info("enrolled 110101195403021234", person={"certno": "110101195403021234"},
                                       members=["320102198001011235"])
        logging.getLogger("stdlib").warning("stdlib saw 110101195403021234")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    text = json.dumps(lines, ensure_ascii=False)
    assert "195403021234" not in text and "198001011235" not in text
    assert lines[0]["person"]["certno"] == "110101********1234"
    assert {line["correlation_id"] for line in lines} == {"corr-42"}


def test_the_correlation_id_comes_from_the_header_or_the_trace_context():
    assert correlation_from_headers({"x-correlation-id": "abc"}) == "abc"
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert correlation_from_headers({"traceparent": trace}) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert len(correlation_from_headers({})) == 32
