"""Test support: JSON values a strict field must refuse, sent exactly as written (issue 22, "Input").

``json.dumps`` cannot write them all (it writes ``1e3`` as ``1000.0``), so a body is written with
:data:`PLACEHOLDER` where the value goes and :func:`with_raw` puts the JSON text in its place.
"""

from __future__ import annotations

import json

PLACEHOLDER = "__RAW_JSON_VALUE__"
NOT_INTEGERS = ("2026.0", '"2026"', "true", "1e3")
"""JSON texts where an integer (a year, a count) is required: a float, a string, a boolean, an exponent."""
NOT_BOOLEANS = ('"true"', "1", '"yes"', '"1"')
NOT_DIGIT_YEARS = ("2026.0", "+2026", "2_026", "%202026", "２０２６")
"""Years in a URL that Python's ``int()`` or pydantic's lax integer would read, but that are not plain digits."""


def with_raw(body: dict, token: str) -> bytes:
    """``body`` as JSON, with the string :data:`PLACEHOLDER` replaced by the JSON text ``token``."""
    return json.dumps(body).replace(f'"{PLACEHOLDER}"', token).encode()
