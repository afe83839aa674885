"""The bench's vegeta glue without vegeta: the targets file it reads, the results it writes, their matching."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from medfund_bench import __main__ as bench
from medfund_bench import vegeta
from medfund_bench.workload import Medfund, Person, answer_of

from medfund_shared.money import Money


def result_line(*, seq: int, code: int = 200, timestamp: str = "2026-11-23T06:21:39.27889844Z",
                latency_ns: int = 3_473_505, error: str = "", body: bytes | None = b"{}") -> str:
    """One line as ``vegeta encode --to json`` writes it (v12.13.0)."""
    return json.dumps({"attack": "", "seq": seq, "code": code, "timestamp": timestamp, "latency": latency_ns,
                       "bytes_out": 8, "bytes_in": len(body or b""), "error": error,
                       "body": base64.b64encode(body).decode() if body is not None else None,
                       "method": "POST" if code else "", "url": "http://127.0.0.1:8003/x" if code else "",
                       "headers": {"Content-Length": [str(len(body or b""))]} if code else None})


def test_targets_file_carries_each_body_byte_for_byte_one_target_a_line(tmp_path: Path) -> None:
    body = json.dumps({"opter_name": "收费员", "n": 1}, ensure_ascii=False).encode()
    headers = {"Authorization": "Bearer t", "Content-Type": "application/json"}
    targets = [vegeta.Target("http://127.0.0.1:8003/x", headers, body),
               vegeta.Target("http://127.0.0.1:8003/y", {}, b"")]
    path = tmp_path / "targets.json"

    assert vegeta.write_targets(targets, path) == 2

    text = path.read_text()
    assert text.endswith("\n") and text.count("\n") == 2  # vegeta drops a last line without its newline
    first, second = (json.loads(line) for line in text.splitlines())
    assert first == {"method": "POST", "url": "http://127.0.0.1:8003/x",
                     "header": {"Authorization": ["Bearer t"], "Content-Type": ["application/json"]},
                     "body": base64.b64encode(body).decode()}
    assert base64.b64decode(first["body"]) == body
    assert second["url"] == "http://127.0.0.1:8003/y" and second["body"] == ""


def test_results_decode_to_wall_clock_hits_without_the_end_of_targets_marks() -> None:
    lines = [result_line(seq=0, body=b'{"inf_refmsgid": "m0"}'),
             result_line(seq=1, code=0, error="Post \"http://127.0.0.1:8003/x\": connection refused", body=None),
             result_line(seq=2, code=0, error=vegeta.END_OF_TARGETS, body=None, latency_ns=4426), "",
             result_line(seq=3, code=0, error=vegeta.END_OF_TARGETS, body=None)]

    hits = vegeta.parse_hits(lines)

    assert len(hits) == 2
    answered, refused = hits
    assert answered.code == 200 and answered.body == b'{"inf_refmsgid": "m0"}' and answered.error == ""
    assert answered.started == pytest.approx(datetime.fromisoformat("2026-11-23T06:21:39.278898+00:00").timestamp())
    assert answered.latency == pytest.approx(0.003473505)
    assert answered.answered == pytest.approx(answered.started + 0.003473505)
    assert refused.code == 0 and refused.body == b"" and "connection refused" in refused.error


def hit(started: float, latency: float, body: bytes = b"", code: int = 200) -> vegeta.Hit:
    return vegeta.Hit(code=code, started=started, latency=latency, body=body, error="")


def test_hits_are_put_back_in_target_order_by_the_key_in_their_answer() -> None:
    hits = [hit(2.0, 0.1, b"m2"), hit(1.0, 0.1, b"m0"), hit(1.5, 0.1, b""), hit(1.2, 0.1, b"other")]
    key_of = {b"m0": "m0", b"m2": "m2"}.get

    ordered = vegeta.in_order(hits, ["m0", "m1", "m2", "m3", "m4"], key_of)

    assert ordered == [hits[1], hits[3], hits[0], hits[2], None]


def test_requests_without_an_answer_fill_the_unanswered_targets_in_the_order_they_were_started() -> None:
    timeout, refused, error_page = hit(1.1, 30.0, b""), hit(1.0, 0.01, b"", code=0), hit(1.3, 0.2, b"<html>502")
    hits = [hit(2.0, 0.1, b"m2"), timeout, error_page, refused, hit(1.2, 0.1, b"m1")]
    key_of = {b"m1": "m1", b"m2": "m2"}.get

    ordered = vegeta.in_order(hits, ["m0", "m1", "m2", "m3", "m4"], key_of)

    assert ordered == [refused, hits[4], hits[0], timeout, error_page]


def test_a_request_without_an_answer_is_failed_and_its_latency_counts() -> None:
    """Two stays answered (one refused by the gateway), one timed out, one never sent: 1 ok, 3 failed."""
    answers = [{"infcode": 0}, {"infcode": -1}, None, None]
    run = bench.Settled(answers, [hit(1.0, 0.01), hit(1.0, 0.02), hit(1.0, 30.0), None], last_answer=31.0)

    result = run.part(slice(0, None))

    assert (result.ok, result.failed) == (1, 3)
    assert sorted(result.latencies) == [0.01, 0.02, 30.0]
    assert result.percentile(99) == pytest.approx(30_000)


def test_a_key_answered_twice_is_a_replay_and_refused() -> None:
    with pytest.raises(RuntimeError, match="twice"):
        vegeta.in_order([hit(1.0, 0.1, b"m0"), hit(2.0, 0.1, b"m0")], ["m0"], bytes.decode)


def test_summary_spans_first_start_to_last_answer() -> None:
    result = vegeta.summary([hit(10.0, 0.5), hit(10.2, 1.0), hit(10.4, 0.1, code=0)], ok=2)

    assert (result.ok, result.failed) == (2, 1)
    assert result.seconds == pytest.approx(1.2)
    assert result.rate == pytest.approx(2 / 1.2)
    assert sorted(result.latencies) == [0.1, 0.5, 1.0]
    assert vegeta.summary([], ok=0).seconds == 0.0
    assert vegeta.summary([hit(10.0, 0.5)], ok=1, requests=3).failed == 2


ANSWER = (b'{"infcode":0,"inf_refmsgid":"%s","refmsg_time":"","respond_time":"","err_msg":"","output":'
          b'{"setlinfo":{"setl_id":"SETL1"},"setldetail":[{"fund_pay_type":"390100","fund_payamt":1234.56}]}}')


async def test_a_settlement_target_is_byte_for_byte_what_settle_sends_and_its_answer_is_recorded_alike() -> None:
    person = Person("500240196001010011", "测试", psn_no="P1")
    stay = (person, "M1", datetime(2026, 3, 4, 8), Money.from_yuan("5000.00"), 7)
    sent: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=ANSWER % json.loads(request.content)["msgid"].encode())

    by_httpx = Medfund({"adjudication": "http://127.0.0.1:8003"}, run_tag="abc123")
    by_vegeta = Medfund({"adjudication": "http://127.0.0.1:8003"}, run_tag="abc123")
    try:
        await by_httpx.http.aclose()
        by_httpx.http = httpx.AsyncClient(transport=httpx.MockTransport(gateway))
        await by_httpx.settle(*stay)
        (target,), (msgid,) = bench.settlement_targets(by_vegeta, [stay])
    finally:
        await by_httpx.close()
        await by_vegeta.close()

    (request,) = sent
    assert (target.url, target.body) == (str(request.url), request.content)
    assert target.headers == {"Authorization": f"Bearer {by_vegeta.tokens['his']}", "Content-Type": "application/json"}
    assert bench.answered_msgid(ANSWER % msgid.encode()) == msgid
    by_vegeta.settled(answer_of(ANSWER % msgid.encode()))
    assert by_vegeta.accepted.settlements == by_httpx.accepted.settlements == {
        "SETL1": {"390100": Money.from_yuan("1234.56")}}


def test_the_p99_of_each_second_shows_the_second_a_stall_spoils():
    def started(at: float, latency: float) -> vegeta.Hit:
        return vegeta.Hit(200, 1000.0 + at, latency, b"{}", "")

    hits = [started(0.1, 0.005), started(0.6, 0.007), started(1.2, 0.300), started(1.5, 0.004), started(3.9, 0.006)]

    assert vegeta.p99_each_second(hits) == [7.0, 300.0, None, 6.0]
    assert vegeta.p99_each_second([]) == []
