"""Domain refusals: a machine-readable code, a readable message and the field at fault."""

from __future__ import annotations


class EnrollmentError(Exception):
    """A request the enrollment rules refuse; ``kind`` tells the edge which 4xx it is."""

    kind = "invalid"

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


class InvalidRequest(EnrollmentError):
    """The input breaks a rule of the data (422)."""


class Conflict(EnrollmentError):
    """The input contradicts what is already recorded (409)."""

    kind = "conflict"


class NotFound(EnrollmentError):
    """The person, household or batch does not exist (404)."""

    kind = "not_found"
