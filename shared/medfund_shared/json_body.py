"""A request body read as JSON by hand (where a route needs exact decimals or its own envelope), refusing what
the parser itself cannot take with a clear error instead of a 500 (issue 22).

``json.loads`` raises ``RecursionError`` on a body nested deeper than the interpreter's recursion limit (about a
thousand levels) and ``ValueError`` on an integer of more than 4,300 digits; both are the client's mistake.
Numbers with a fraction are kept exact as ``Decimal``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


class NotJson(ValueError):
    """The body is not JSON this platform reads; the message says why."""


def parse_json(body: bytes | str) -> Any:
    """The body's JSON value, fractions as ``Decimal``; :class:`NotJson` for anything else."""
    try:
        return json.loads(body, parse_float=Decimal)
    except RecursionError:
        raise NotJson("the body is nested too deep") from None
    except ValueError as error:
        reason = "a number has too many digits" if "digits" in str(error) else "the body is not valid JSON"
        raise NotJson(reason) from None
