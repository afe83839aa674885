"""Hypothesis fuzzing of the two hand-written parsers that face the outside world.

- the NHSA gateway's field reader (``medfund_adjudication.api.nhsa.fields``): any JSON value in any
  field either reads as the typed value or is refused (``Refused``, code ``invalid``, naming the field);
  no other exception may escape (it would be a 500 / an unhandled gateway error);
- the tax-bureau collection file (``medfund_billing.adapters.file_records`` + ``parse_record``): any bytes as a
  CSV or NDJSON file are read line by line, each line becomes a record or a rejection, never a crash.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from medfund_adjudication.api.nhsa.fields import Fields
from medfund_adjudication.domain.refusal import Refused
from medfund_billing.adapters import file_records
from medfund_billing.domain.payment_record import FIELDS, RecordRejected, parse_record

EXAMPLES = int(os.environ.get("MEDFUND_FUZZ_PARSER_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=40),
    st.decimals(allow_nan=True, allow_infinity=True), st.floats(),
    st.sampled_from(["", " ", "12.50", "12.5", "-0.01", "1.234", "1e999999", "NaN", "-Infinity", "0x10",
                     "2026-02-30", "2026-07-01 10:30:00", "2026-07-01 25:00:00", "９９", "1_000", "١٢٣"]),
)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)

READERS = {
    "text": lambda f: f.text("v"),
    "choice": lambda f: f.choice("v", ("1", "2")),
    "decimal": lambda f: f.decimal("v", positive=True),
    "money": lambda f: f.money("v"),
    "integer": lambda f: f.integer("v"),
    "date": lambda f: f.date("v"),
    "time": lambda f: f.time("v"),
    "flag": lambda f: f.flag("v"),
    "rows": lambda f: f.rows("v"),
    "child": lambda f: f.child("v"),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@FUZZ
@given(value=json_values)
@example(value="1e999999999")
@example(value=Decimal("1E+999999999"))
@example(value="9" * 5000)
def test_nhsa_field_reader_reads_or_refuses(reader: str, value: object) -> None:
    try:
        READERS[reader](Fields({"v": value, "unused": "x"}, "input.data"))
    except Refused as refused:
        assert refused.code == "invalid" and refused.field and refused.field.startswith("input.data")


@FUZZ
@given(raw=json_values)
def test_nhsa_object_reader_refuses_non_objects(raw: object) -> None:
    try:
        Fields(raw, "input.data")
    except Refused as refused:
        assert refused.field == "input.data"


def good_record() -> dict:
    return {"tax_voucher_no": "V2026000000001", "certno": "110101195403021234", "psn_name": "张三",
            "insutype": "390", "admdvs": "211302", "period_year": 2026, "amount": "190.00",
            "paid_at": "2025-11-15T10:00:00+08:00", "tax_office_code": "T211302", "channel": "etax"}


@FUZZ
@given(record=st.fixed_dictionaries({}, optional={name: json_values for name in FIELDS}), base=st.booleans())
def test_payment_record_parses_or_is_rejected(record: dict, base: bool) -> None:
    raw = {**good_record(), **record} if base else record
    try:
        parse_record(raw)
    except RecordRejected as rejected:
        assert rejected.code and rejected.message


csv_cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


def _account(data: bytes, file_format: str) -> list[tuple[int, object]]:
    """Read a file the way an upload and its batch do, the bytes arriving in small pieces; every record is parsed
    or rejected."""
    splitter = file_records.RecordSplitter(file_format)
    records = [r for start in range(0, len(data), 7) for r in splitter.feed(data[start:start + 7])]
    records += splitter.end()
    header = None
    if file_format == file_records.CSV:
        try:
            if not records:
                raise file_records.FileFormatError("empty", "header")
            header = file_records.csv_header(records.pop(0)[1])
        except file_records.FileFormatError as refused:
            assert str(refused)
            return []
    lines = [(line, raw) for line, record in records
             if (raw := file_records.read_record(record, file_format, header)) is not file_records.BLANK]
    numbers = [number for number, _ in lines]
    assert numbers == sorted(set(numbers)), "line numbers must be increasing and unique"
    for _, raw in lines:
        if raw is not None:
            try:
                parse_record(raw)
            except RecordRejected:
                pass
    return lines


@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"\xef\xbb\xbf" + ",".join(FIELDS).encode() + b"\n" + b"a" * 200_000 + b"\n")
@example(data=(",".join(FIELDS) + '\n"unterminated\n').encode())
def test_csv_file_bytes_never_crash_the_reader(data: bytes) -> None:
    _account(data, file_records.CSV)


@FUZZ
@given(rows=st.lists(st.lists(csv_cells, min_size=len(FIELDS) - 1, max_size=len(FIELDS) + 1), max_size=8))
def test_csv_rows_with_any_cells_are_each_accounted_for(rows: list[list[str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    writer.writerows(rows)
    lines = _account(buffer.getvalue().encode(), file_records.CSV)
    assert len(lines) == sum(1 for row in rows if any(cell.strip() for cell in row))


@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"[" * 100_000 + b"\n")
@example(data=b"1" * 5000 + b"\n")
@example(data=json.dumps(good_record()).encode() + b"\n\xff\xfe{\n")
def test_ndjson_file_bytes_never_crash_the_reader(data: bytes) -> None:
    _account(data, file_records.NDJSON)


@FUZZ
@given(lines=st.lists(json_values, max_size=10))
def test_ndjson_lines_of_any_json_are_each_accounted_for(lines: list[object]) -> None:
    text = "".join(json.dumps(value, default=str) + "\n" for value in lines)
    assert len(_account(text.encode(), file_records.NDJSON)) == len(lines)
