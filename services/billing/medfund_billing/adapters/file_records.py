"""A tax-bureau file cut into records as its bytes arrive, and each record read back as a payment record.

The upload is cut into records (a CSV record may span lines inside quotes) numbered by the file line on which
each ends, the number the batch report gives; blank lines are left out. Records are stored as the bytes sent
(``adapters.batch_files``), so any instance can read them back, in any chunk, with the same result.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from medfund_billing.domain.payment_record import FIELDS

CSV = "text/csv"
NDJSON = "application/x-ndjson"
FORMATS = (CSV, NDJSON)
BOM = b"\xef\xbb\xbf"
UNDECODABLE = "surrogateescape"
"""Bytes that are not UTF-8 are read as lone surrogates, so the line holding them is refused with its number
instead of being accepted with U+FFFD in place of what was sent."""
_NEEDS_CSV_READER = ('"', "\r", "\n", "\x00")
"""Characters a CSV record may hold that make its cells more than the text between its commas."""
BLANK = object()
"""What ``read_record`` gives for a record with nothing in it (a CSV line of empty cells): not counted."""


class FileFormatError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RecordSplitter:
    """Feed the file's chunks in order; get ``(line number, record bytes)`` for each complete non-blank record."""

    def __init__(self, file_format: str) -> None:
        self._csv = file_format == CSV
        self._pending: list[bytes] = []
        """The start of a line whose end has not arrived yet, in the pieces it came in (joined once it ends)."""
        self._record: list[bytes] = []
        self._quoted = False
        self._line = 0
        self._started = False

    def feed(self, chunk: bytes) -> list[tuple[int, bytes]]:
        if not self._started:
            head = b"".join([*self._pending, chunk])
            if len(head) < len(BOM) and BOM.startswith(head):
                self._pending = [head]
                return []
            self._started, self._pending, chunk = True, [], head.removeprefix(BOM)
        if b"\n" not in chunk:
            self._pending.append(chunk)
            return []
        lines = chunk.split(b"\n")
        lines[0] = b"".join([*self._pending, lines[0]])
        self._pending = [lines.pop()]
        return [record for line in lines if (record := self._take(line)) is not None]

    def end(self) -> list[tuple[int, bytes]]:
        """The records left once the file is complete (a last line without a newline, an unclosed quote)."""
        rest = b"".join(self._pending)
        if not self._started:
            self._started, rest = True, rest.removeprefix(BOM)
        self._pending = []
        records = [r for r in [self._take(rest)] if r is not None] if rest else []
        if self._record:
            closed = self._close()
            if closed is not None:
                records.append(closed)
        return records

    def _take(self, line: bytes) -> tuple[int, bytes] | None:
        self._line += 1
        if self._csv and (self._quoted or b'"' in line):
            self._quoted = _still_quoted(line, self._quoted)
        self._record.append(line)
        if self._quoted:
            return None
        return self._close()

    def _close(self) -> tuple[int, bytes] | None:
        record = b"\n".join(self._record)
        self._record, self._quoted = [], False
        return (self._line, record) if record.strip() else None


def _still_quoted(line: bytes, quoted: bool) -> bool:
    """Whether a CSV record is inside a quoted field at the end of ``line`` (the ``csv`` module's excel rules:
    a quote opens a field only at its start, ``""`` inside is a quote, a comma starts the next field)."""
    at_field_start, index, size = not quoted, 0, len(line)
    while index < size:
        char = line[index]
        if quoted:
            if char == 0x22:
                if index + 1 < size and line[index + 1] == 0x22:
                    index += 2
                    continue
                quoted = False
        elif char == 0x22 and at_field_start:
            quoted = True
        at_field_start = not quoted and char == 0x2C
        index += 1
    return quoted


def csv_header(record: bytes) -> list[str]:
    """The field names of a CSV file's first record; every field must be named once (any order)."""
    try:
        rows = list(csv.reader(io.StringIO(record.decode("utf-8", UNDECODABLE), newline="")))
    except csv.Error as error:
        raise FileFormatError(f"the CSV header row cannot be read: {error}", "header") from None
    header = rows[0] if len(rows) == 1 else []
    if any(_undecodable(name) for name in header):
        raise FileFormatError("the CSV header row is not UTF-8", "header")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FileFormatError(f"the CSV header row names {', '.join(repeated)} more than once", repeated[0])
    missing = [name for name in FIELDS if name not in header]
    if missing:
        raise FileFormatError(f"the CSV header row lacks {', '.join(missing)}", missing[0])
    return header


def read_record(record: bytes, file_format: str, header: list[str] | None) -> Any:
    """The raw record (a dict for ``parse_record``), ``None`` if the line cannot be read as one, or ``BLANK``."""
    try:
        text, undecodable = record.decode("utf-8"), False
    except UnicodeDecodeError:
        text, undecodable = record.decode("utf-8", UNDECODABLE), True
    if file_format == NDJSON:
        if undecodable:
            return None
        try:
            return json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):
            return None
    row = _csv_row(text)
    if row is None:
        return None
    if not any(cell.strip() for cell in row):
        return BLANK
    if (undecodable and any(_undecodable(cell) for cell in row)) or header is None or len(row) != len(header):
        return None
    return dict(zip(header, row, strict=True))


def _csv_row(text: str) -> list[str] | None:
    """The one CSV row of a record's text, or ``None`` if it is not exactly one row. A record without a quote,
    a line break or a NUL is its cells split at the commas, as the ``csv`` module reads it (excel dialect), without
    building a reader per line: a tax file has a million such lines (issue 24)."""
    if text and not any(char in text for char in _NEEDS_CSV_READER):
        return text.split(",")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def _undecodable(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)
