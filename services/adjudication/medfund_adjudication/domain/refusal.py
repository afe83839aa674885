"""Why a request is refused, in words a hospital cashier can act on; mapped to infcode -1 or an HTTP 4xx."""

from __future__ import annotations


class Refused(ValueError):
    """A request the rules or the records do not allow; nothing was recorded.

    ``code`` is stable (``not_found``, ``conflict``, ``forbidden``, ``not_covered``, ``invalid``…),
    ``message`` names the problem and ``field`` the offending input when there is one.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        self.code, self.message, self.field = code, message, field
        super().__init__(message)


def invalid(field: str, message: str) -> Refused:
    return Refused("invalid", f"{field}: {message}", field)
