"""The gateway probe reads cards until the gateway shows cover; refusals are counted per person."""

import json
from datetime import date, datetime

import httpx

from medfund_cli.demo.coverage import CoverageProbe
from medfund_cli.demo.gateway import HisClient, HisCredentials
from medfund_cli.demo.population import Person
from medfund_cli.demo.tally import Tally

WHEN = datetime(2026, 1, 1, 9)


def person(certno: str) -> Person:
    return Person(certno, "谭一", "1", date(1970, 1, 1), "adult")


def gateway(insured: set[str], reads: list[str]) -> httpx.MockTransport:
    """A 1101 that answers cover for ``insured`` and "not insured" for anyone else."""
    def answer(request: httpx.Request) -> httpx.Response:
        certno = json.loads(request.content)["input"]["data"]["certno"]
        reads.append(certno)
        if certno not in insured:
            return httpx.Response(200, json={"infcode": -1, "err_msg": "this certno is not insured in 2026"})
        return httpx.Response(200, json={"infcode": 0, "output": {
            "baseinfo": {"psn_no": f"P{certno}"}, "insuinfo": [{"insutype": "390", "psn_insu_stas": "1"}]}})
    return httpx.MockTransport(answer)


async def test_the_probe_counts_who_is_missing_and_does_not_read_a_shown_card_again():
    insured, reads = {"A"}, []
    async with httpx.AsyncClient(transport=gateway(insured, reads)) as http:
        probe = CoverageProbe(HisClient(http, "http://gateway", "H50024000001", "卫生院",
                                        HisCredentials("H50024000001-ab12", "a-passtoken"), "ab12"),
                              {c: person(c) for c in ("A", "B")})
        assert await probe.missing({"A", "B", "stranger"}, WHEN) == 1
        insured.add("B")
        assert await probe.missing({"A", "B", "stranger"}, WHEN) == 0
    assert sorted(reads) == ["A", "B", "B"]


def test_refusals_count_people_not_attempts():
    tally = Tally()
    tally.refused("X", "not insured in 2026", expected=True)
    tally.refused("X", "not insured in 2026", expected=True)
    tally.refused("Y", "waiting period", expected=False)
    assert (len(tally.refused_uncovered), len(tally.refused_unexpected), tally.refusal_attempts) == (1, 1, 3)
    assert tally.refusal_samples == ["without cover: not insured in 2026", "unexpected: waiting period"]
