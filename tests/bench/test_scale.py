"""``--scale`` copies the ledger's history: which copy of which event comes when, and the copies' own ids."""

import uuid

from medfund_bench import scale


def test_copies_follow_each_other_until_the_count_is_reached():
    assert list(scale.schedule(3, 7)) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0)]
    assert list(scale.schedule(0, 5)) == []


def test_a_copy_gets_its_own_stable_event_id_and_keeps_every_other_header():
    original = str(uuid.uuid4()).encode()
    headers = [("ce_specversion", b"1.0"), ("ce_id", original), ("ce_type", b"medfund.claims.settlement.completed.v1")]

    assert scale.copied_headers(headers, 0) == headers
    first, second = scale.copied_headers(headers, 1), scale.copied_headers(headers, 2)
    ids = {dict(first)["ce_id"], dict(second)["ce_id"], original}
    assert len(ids) == 3 and all(uuid.UUID(i.decode()) for i in ids)
    assert scale.copied_headers(headers, 1) == first
    assert [h for h in first if h[0] != "ce_id"] == [h for h in headers if h[0] != "ce_id"]


def test_a_source_record_counts_key_value_and_headers():
    source = scale.Source("medfund.claims.v1", 0, b"P1", b"{}", [("ce_id", b"abc")])
    assert source.size == 2 + 2 + 5 + 3
