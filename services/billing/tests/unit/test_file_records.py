"""A tax file cut into records as its bytes arrive, in any pieces, numbered by the file line each ends on."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from medfund_billing.adapters.file_records import (
    BLANK,
    CSV,
    NDJSON,
    FileFormatError,
    RecordSplitter,
    csv_header,
    read_record,
)
from medfund_billing.domain.payment_record import FIELDS

HEADER = ",".join(FIELDS).encode()
ROW = b"V1,500240199001011234,\xe5\xbc\xa0\xe4\xb8\x89,390,500240,2026,140.00,2025-11-20T10:15:00+08:00,T1,etax"
QUOTED = b'V2,500240199001011234,"Zhang\nSan, ""the elder""",390,500240,2026,1.00,2025-11-20T10:15:00+08:00,T1,app'
FILE = b"\xef\xbb\xbf" + HEADER + b"\r\n" + ROW + b"\n\n" + QUOTED + b"\n , \n" + b"V3,\xff\n" + ROW


def split(data: bytes, file_format: str, piece: int) -> list[tuple[int, bytes]]:
    splitter = RecordSplitter(file_format)
    records = [r for start in range(0, len(data), piece) for r in splitter.feed(data[start:start + piece])]
    return records + splitter.end()


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 1 << 16])
def test_records_and_their_line_numbers_do_not_depend_on_how_the_bytes_arrive(piece):
    records = split(FILE, CSV, piece)
    assert [line for line, _ in records] == [1, 2, 5, 6, 7, 8]
    header = csv_header(records[0][1])
    read = [read_record(record, CSV, header) for _, record in records[1:]]
    assert read[0]["psn_name"] == "张三" and read[0]["amount"] == "140.00"
    assert read[1]["psn_name"] == 'Zhang\nSan, "the elder"'
    assert read[2] is BLANK
    assert read[3] is None, "bytes that are not UTF-8 refuse their line"
    assert read[4]["tax_voucher_no"] == "V1"


def test_a_quote_inside_an_unquoted_field_does_not_swallow_the_next_lines():
    data = HEADER + b'\nV1,ab"c,x\n' + ROW + b"\n"
    assert [line for line, _ in split(data, CSV, 5)] == [1, 2, 3]


def test_an_ndjson_file_keeps_its_first_line_after_a_byte_order_mark_and_refuses_unreadable_lines():
    data = b'\xef\xbb\xbf{"tax_voucher_no": "N1"}\n{not json\n\n{"amount": 12.50}'
    records = split(data, NDJSON, 3)
    assert [line for line, _ in records] == [1, 2, 4]
    read = [read_record(record, NDJSON, None) for _, record in records]
    assert read[0] == {"tax_voucher_no": "N1"} and read[1] is None and str(read[2]["amount"]) == "12.50"


@pytest.mark.parametrize(("header", "field"), [(b"a,b", "tax_voucher_no"), (HEADER + b",amount", "amount"),
                                               (b"\xff" + HEADER, "header")])
def test_a_csv_header_must_name_every_field_once(header, field):
    with pytest.raises(FileFormatError) as refused:
        csv_header(header)
    assert refused.value.field == field


def test_a_line_of_a_million_bytes_in_small_pieces_is_one_record():
    data = HEADER + b"\n" + b"x" * 1_000_000 + b"\n"
    records = split(data, CSV, 4096)
    assert [(line, len(record)) for line, record in records] == [(1, len(HEADER)), (2, 1_000_000)]


CELLS = ["a", "A 1", " ", "", '"', '""', ",", "\r", "\n", "\r\n", "\x00", "\udcff", "张三", "x\"y", '"q"']
"""Cell texts around what the csv module treats specially (quotes, line breaks, NUL, undecodable bytes)."""


@given(cells=st.lists(st.sampled_from(CELLS) | st.text(max_size=4), min_size=1, max_size=12))
@example(cells=["V1", "", " x "])
def test_a_csv_record_reads_as_the_csv_module_reads_its_text(cells):
    """Plain lines skip the csv reader (issue 24): every record must still read as the csv module reads it."""
    text = ",".join(cells)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        rows = []
    header = [f"f{n}" for n in range(len(rows[0]))] if len(rows) == 1 else ["f0"]
    expected = None if len(rows) != 1 else (BLANK if not any(c.strip() for c in rows[0]) else
                                            dict(zip(header, rows[0], strict=True)))
    got = read_record(text.encode("utf-8", "surrogateescape"), CSV, header)
    assert got == expected or (isinstance(expected, dict) and got is None and any(
        "\udc80" <= char <= "\udcff" for char in text))
