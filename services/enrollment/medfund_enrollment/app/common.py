"""What the use cases share: the policy catalogue lookup, business times, idempotent replies."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_enrollment.domain.errors import Conflict, InvalidRequest
from medfund_shared.policy.catalogue import NoPackInForce, PolicyCatalogue
from medfund_shared.policy.schema import PolicyPack

CHINA = timezone(timedelta(hours=8))


def at_start_of(day: date) -> datetime:
    """A business date as the moment it begins in China (the events' effective time)."""
    return datetime.combine(day, time(0), CHINA)


def pack_for(catalogue: PolicyCatalogue, admdvs: str, insutype: str, year: int) -> PolicyPack:
    """The pack in force on the first day of the insurance year; ``unknown_region`` without one."""
    try:
        return catalogue.in_force(admdvs, insutype, date(year, 1, 1))
    except NoPackInForce:
        raise InvalidRequest("unknown_region", f"no policy pack for region {admdvs}, scheme {insutype}, "
                                               f"year {year}", "admdvs") from None


@dataclass(frozen=True)
class Idempotency:
    """An ``Idempotency-Key`` with the fingerprint of the request it came with."""

    scope: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, scope: str, key: str | None, request: Any) -> Idempotency | None:
        if not key:
            return None
        canonical = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
        return cls(scope, key, hashlib.sha256(canonical.encode()).hexdigest())

    async def replay(self, uow: UnitOfWork) -> Any | None:
        """The first answer for this key; 409 when the key came with a different request."""
        stored = await uow.repo.stored_response(self.scope, self.key)
        if stored is None:
            return None
        if stored.fingerprint != self.fingerprint:
            raise Conflict("idempotency_key_reused", "this Idempotency-Key was used with a different request",
                           "Idempotency-Key")
        return stored.response

    async def remember(self, uow: UnitOfWork, response: Any) -> None:
        await uow.repo.store_response(self.scope, self.key, self.fingerprint, response)
