"""Canonical JSON is the standard library's sorted, compact, non-ASCII-as-is text, byte for byte: receipts
recorded before it was built by orjson must still verify."""

import json
import sys

from hypothesis import given
from hypothesis import strategies as st

from medfund_shared.canonical_json import canonical_json


def _stdlib(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_every_code_point_in_keys_and_values_is_written_as_the_standard_library_writes_it():
    points = [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
    for start in range(0, len(points), 4096):
        chunk = points[start:start + 4096]
        value = {f"k{c}": f"{c}v" for c in chunk} | {"text": "".join(chunk)}
        assert canonical_json(value) == _stdlib(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30)


def test_an_integer_beyond_64_bits_is_written_as_the_standard_library_writes_it():
    value = {"big": 2**70, "small": -(2**64), "text": "中"}
    assert canonical_json(value) == _stdlib(value)


@given(json_values)
def test_any_json_value_is_the_standard_librarys_sorted_compact_text(value):
    assert canonical_json(value) == _stdlib(value)
