"""Request limits of one process: per bearer token, per institution, and a brake on failed authentication.

Buckets are GCRA (pyrate-limiter's algorithm: a token bucket kept as one timestamp), one per key, in this
process's memory: the limits are **per instance** (no shared store), so behind a balancer of N instances a
client may reach N times them. Time is the monotonic clock: a limit is about request rates, not business dates.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

from pyrate_limiter import GCRA, Duration, Rate

from medfund_shared.settings import Settings

MAX_KEYS = 100_000
"""Buckets kept per limit; the least recently used is forgotten first (a forgotten bucket is a full one)."""


class Throttled(Exception):
    """Over a limit: answer 429 (in the envelope on the gateway) with ``Retry-After: retry_after``."""

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.code, self.message, self.retry_after = code, message, retry_after


class KeyedRate:
    """``per_second`` sustained, ``burst`` at once, for each key on its own."""

    def __init__(self, per_second: int, burst: int, max_keys: int = MAX_KEYS) -> None:
        self._rates = [Rate(per_second, Duration.SECOND, max(burst, 1))]
        self._algorithm = GCRA()
        self._states: OrderedDict[str, tuple] = OrderedDict()
        self._max_keys = max_keys

    def take(self, key: str) -> int:
        """Spend one unit of ``key``'s bucket: 0 when allowed, else the milliseconds until one is free."""
        state = self._states.pop(key, None) or self._algorithm.initial(self._rates)
        state, decision = self._algorithm.step(self._rates, state, _now_ms(), 1)
        self._states[key] = state
        if len(self._states) > self._max_keys:
            self._states.popitem(last=False)
        return 0 if decision.allowed else max(1, decision.retry_after_ms or 1000)

    def wait(self, key: str) -> int:
        """What :meth:`take` would answer, spending nothing."""
        state = self._states.get(key)
        if state is None:
            return 0
        _, decision = self._algorithm.step(self._rates, state, _now_ms(), 1)
        return 0 if decision.allowed else max(1, decision.retry_after_ms or 1000)


class RequestLimits:
    """The limits ``Settings`` configure (``MEDFUND_RATE_LIMIT_*``, ``MEDFUND_AUTH_FAILURE_*``)."""

    def __init__(self, settings: Settings) -> None:
        self._token = KeyedRate(settings.rate_limit_token_per_second, settings.rate_limit_token_burst)
        self._institution = KeyedRate(settings.rate_limit_institution_per_second,
                                      settings.rate_limit_institution_burst)
        self._failures = KeyedRate(settings.auth_failures_per_second, settings.auth_failure_burst)

    def admit(self, token: str, institution: str | None) -> None:
        """Count one request of ``token`` (a bearer token or a signing paasid) and of its institution."""
        if wait := self._token.take(token):
            raise Throttled("rate_limited", "too many requests with this credential; retry after the delay given",
                            _seconds(wait))
        if institution is not None and (wait := self._institution.take(institution)):
            raise Throttled("rate_limited", f"too many requests for institution {institution}; retry after the "
                                            "delay given", _seconds(wait))

    def check_failures(self, *sources: str) -> None:
        """Before checking credentials: refuse a source (a client address, a paasid) that failed too often."""
        for source in sources:
            if wait := self._failures.wait(source):
                raise Throttled("too_many_failed_authentications", "too many failed authentications from here; "
                                "retry after the delay given", _seconds(wait))

    def record_failure(self, *sources: str) -> None:
        for source in sources:
            self._failures.take(source)


def _now_ms() -> int:
    return int(time.monotonic() * 1000)


def _seconds(milliseconds: int) -> int:
    return max(1, math.ceil(milliseconds / 1000))
