"""Uploaded files on disk: written as they stream in, read back line by line (memory stays flat)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from medfund_billing.domain.payment_record import FIELDS

CSV = "text/csv"
NDJSON = "application/x-ndjson"
FORMATS = (CSV, NDJSON)


class FileFormatError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


async def write_spool(chunks: AsyncIterator[bytes], path: Path) -> str:
    """Write the request stream to ``path`` chunk by chunk; returns the file's sha256 (hex)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with path.open("wb") as out:
        async for chunk in chunks:
            out.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


UNDECODABLE = "surrogateescape"
"""Bytes that are not UTF-8 are read as lone surrogates, so the line holding them is refused with its number
instead of being accepted with U+FFFD in place of what was sent."""


def check_header(path: Path, file_format: str) -> None:
    """A CSV file must name every field in its header row once (the columns may come in any order)."""
    if file_format != CSV:
        return
    with path.open(encoding="utf-8-sig", errors=UNDECODABLE, newline="") as source:
        try:
            header = next(csv.reader(source), None)
        except csv.Error as error:
            raise FileFormatError(f"the CSV header row cannot be read: {error}", "header") from None
    header = header or []
    if any(_undecodable(name) for name in header):
        raise FileFormatError("the CSV header row is not UTF-8", "header")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FileFormatError(f"the CSV header row names {', '.join(repeated)} more than once", repeated[0])
    missing = [name for name in FIELDS if name not in header]
    if missing:
        raise FileFormatError(f"the CSV header row lacks {', '.join(missing)}", missing[0])


def read_lines(path: Path, file_format: str, skip: int = 0) -> Iterator[tuple[int, Any]]:
    """(line number, raw record) for each non-empty line after the first ``skip`` data lines.

    Line numbers are the file's own (in a CSV file the header is line 1). A line that cannot be
    read as a record yields ``None`` as its record.
    """
    reader = _csv_lines if file_format == CSV else _ndjson_lines
    for index, item in enumerate(reader(path)):
        if index >= skip:
            yield item


def _csv_lines(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors=UNDECODABLE, newline="") as source:
        rows = csv.reader(source)
        header = next(rows, None) or []
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error:
                yield rows.line_num, None
                continue
            if not any(cell.strip() for cell in row):
                continue
            if any(_undecodable(cell) for cell in row):
                yield rows.line_num, None
                continue
            yield rows.line_num, dict(zip(header, row, strict=True)) if len(row) == len(header) else None


def _ndjson_lines(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors=UNDECODABLE) as source:
        for number, text in enumerate(source, start=1):
            if not text.strip():
                continue
            if _undecodable(text):
                yield number, None
                continue
            try:
                yield number, json.loads(text, parse_float=Decimal)
            except (ValueError, RecursionError):
                yield number, None


def _undecodable(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)
