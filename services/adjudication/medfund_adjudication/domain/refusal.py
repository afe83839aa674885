"""Why a request is refused, in words a hospital cashier can act on; mapped to infcode -1 or an HTTP 4xx.

Adjudication's refusals are the platform's one refusal type (:class:`medfund_shared.refusal.Refusal`): the HTTP
mapping is the platform's, and the gateway router answers any refusal in the NHSA envelope.
"""

from __future__ import annotations

from medfund_shared.refusal import Kind, Refusal

KIND_OF_CODE = {"not_found": Kind.NOT_FOUND, "conflict": Kind.CONFLICT, "forbidden": Kind.FORBIDDEN,
                "unauthorized": Kind.UNAUTHORIZED}
"""Adjudication names a refusal's kind by its code; every other code (``not_covered``, ``invalid``…) is 422."""


class Refused(Refusal):
    """A request the rules or the records do not allow; nothing was recorded.

    ``code`` is stable (``not_found``, ``conflict``, ``forbidden``, ``not_covered``, ``invalid``…),
    ``message`` names the problem and ``field`` the offending input when there is one.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field, KIND_OF_CODE.get(code, Kind.INVALID))


def invalid(field: str, message: str) -> Refused:
    return Refused("invalid", f"{field}: {message}", field)
