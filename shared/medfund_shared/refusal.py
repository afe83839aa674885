"""The one refusal type: a request the rules, the records or the caller's rights do not allow.

Raised from ``domain/`` and ``app/`` (no framework here); mapped to HTTP once, in
:mod:`medfund_shared.errors`, and to the NHSA envelope once, in adjudication's gateway router. A refusal
changes nothing: the unit of work it was raised in rolls back.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What sort of refusal it is; each kind is one HTTP status (:data:`HTTP_STATUS`)."""

    INVALID = "invalid"
    """The input breaks a rule of the data."""
    CONFLICT = "conflict"
    """The input contradicts what is already recorded (or a concurrent request)."""
    NOT_FOUND = "not_found"
    """What the request names does not exist."""
    FORBIDDEN = "forbidden"
    """The caller may not do this (another hospital's record, another tax office's employer)."""
    UNAUTHORIZED = "unauthorized"
    """The caller is not authenticated."""
    TOO_LARGE = "too_large"
    """The request is larger than the service accepts."""


HTTP_STATUS: dict[Kind, int] = {Kind.INVALID: 422, Kind.CONFLICT: 409, Kind.NOT_FOUND: 404, Kind.FORBIDDEN: 403,
                                Kind.UNAUTHORIZED: 401, Kind.TOO_LARGE: 413}
_KIND_OF_STATUS = {status: kind for kind, status in HTTP_STATUS.items()}

NO_POLICY_PACK = "no_policy_pack"
"""The one code, in every service, for "no policy pack is in force for this region, scheme and date"."""
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
"""An ``Idempotency-Key`` (or gateway ``msgid``) already used with a different request."""
REQUEST_IN_PROGRESS = "request_in_progress"
"""A request with the same key is still being answered elsewhere; retry it unchanged."""


class Refusal(Exception):
    """``code`` is stable and machine-readable, ``message`` readable, ``field`` names the input at fault."""

    kind: Kind = Kind.INVALID

    def __init__(self, code: str, message: str, field: str | None = None, kind: Kind | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
        if kind is not None:
            self.kind = kind

    @property
    def status(self) -> int:
        """The HTTP status of this refusal."""
        return HTTP_STATUS[self.kind]

    @classmethod
    def invalid(cls, code: str, message: str, field: str | None = None) -> Refusal:
        return cls(code, message, field, Kind.INVALID)

    @classmethod
    def conflict(cls, code: str, message: str, field: str | None = None) -> Refusal:
        return cls(code, message, field, Kind.CONFLICT)

    @classmethod
    def not_found(cls, code: str, message: str, field: str | None = None) -> Refusal:
        return cls(code, message, field, Kind.NOT_FOUND)

    @classmethod
    def forbidden(cls, code: str, message: str, field: str | None = None) -> Refusal:
        return cls(code, message, field, Kind.FORBIDDEN)


def kind_of_status(status: int) -> Kind:
    """The kind an HTTP status stands for (a 4xx the table does not name is ``invalid``)."""
    return _KIND_OF_STATUS.get(status, Kind.INVALID)


def no_policy_pack(message: str, field: str | None = "admdvs") -> Refusal:
    """No policy pack in force: the same code, kind and field in every service."""
    return Refusal.invalid(NO_POLICY_PACK, message, field)
