"""Enrollment's refusals are the platform's one refusal type (:class:`medfund_shared.refusal.Refusal`).

These subclasses only preset its kind at the raise site; the HTTP mapping is the platform's, once.
"""

from __future__ import annotations

from medfund_shared.refusal import Kind, Refusal

EnrollmentError = Refusal
"""Any refusal (a batch line keeps the refusal of its own line)."""


class InvalidRequest(Refusal):
    """The input breaks a rule of the data (422)."""

    kind = Kind.INVALID


class Conflict(Refusal):
    """The input contradicts what is already recorded (409)."""

    kind = Kind.CONFLICT


class NotFound(Refusal):
    """The person, household or batch does not exist (404)."""

    kind = Kind.NOT_FOUND
