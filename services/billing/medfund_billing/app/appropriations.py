"""Record an appropriation: stored once per ``appropriation_id`` with its event, in one transaction.

The same id with the same content returns the first answer (created False); with other content it is
refused (409). The region must have a resident scheme's policy pack in force in the appropriation's year.
"""

from __future__ import annotations

from datetime import date

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.domain.appropriation import Appropriation
from medfund_shared.events.types.billing import AppropriationRecorded
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import NoPackInForce, PackSet
from medfund_shared.refusal import Refusal, no_policy_pack
from medfund_shared.schemes import RESIDENT_SCHEME


async def record_appropriation(item: Appropriation, uow: BillingUnitOfWork,
                               pack_set: PackSet) -> tuple[dict, bool]:
    """(the appropriation as stored, created)."""
    try:
        pack_set.in_force(item.admdvs, RESIDENT_SCHEME, date(item.year, 12, 31))
    except NoPackInForce:
        raise no_policy_pack(f"no resident scheme of region {item.admdvs} is in force in {item.year}") from None
    async with uow:
        created = await uow.appropriations.add(
            appropriation_id=item.appropriation_id, admdvs=item.admdvs, fund_pay_type=item.fund_pay_type,
            year=item.year, amount_fen=item.amount.fen, received_at=item.received_at, source=item.source,
            voucher_no=item.voucher_no, fingerprint=item.fingerprint())
        if created:
            await uow.emit(AppropriationRecorded(
                appropriation_id=item.appropriation_id, admdvs=item.admdvs, fund_pay_type=item.fund_pay_type,
                year=item.year, amount=item.amount, received_at=item.received_at, source=item.source,
                voucher_no=item.voucher_no), item.received_at)
        row = await uow.appropriations.get(item.appropriation_id)
        if not created and row.fingerprint != item.fingerprint():
            raise Refusal.conflict("conflict", "this appropriation_id was recorded with different content",
                                   "appropriation_id")
        if created:
            await uow.commit()
    return appropriation_answer(row), created


def appropriation_answer(row) -> dict:
    return {"appropriation_id": row.appropriation_id, "admdvs": row.admdvs, "fund_pay_type": row.fund_pay_type,
            "year": row.year, "amount": Money(row.amount_fen).to_yuan(), "received_at": row.received_at.isoformat(),
            "source": row.source, "voucher_no": row.voucher_no}
