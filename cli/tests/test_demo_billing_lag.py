"""The district resends what billing refused only because it has not yet heard of the member from enrollment."""

from __future__ import annotations

import pytest

from medfund_cli.demo.employee_district import _once_billing_knows
from medfund_cli.demo.services import ServiceError


class Billing:
    def __init__(self, refusals: list[str]) -> None:
        self.refusals, self.sent = refusals, 0

    async def declare(self) -> dict:
        self.sent += 1
        if self.refusals:
            raise ServiceError("POST /v1/employers/E1/declarations -> 422", self.refusals.pop(0))
        return {"employees": []}


async def test_a_declaration_refused_as_not_registered_is_sent_again_until_billing_knows_the_member() -> None:
    billing = Billing(["not_registered", "not_registered"])

    assert await _once_billing_knows(billing.declare) == {"employees": []}
    assert billing.sent == 3


async def test_any_other_refusal_stops_the_demo_at_once() -> None:
    billing = Billing(["invalid_period"])

    with pytest.raises(ServiceError) as refused:
        await _once_billing_knows(billing.declare)
    assert refused.value.code == "invalid_period" and billing.sent == 1
