"""Record an appropriation: stored once per ``appropriation_id`` with its event, in one transaction.

The same id with the same content returns the first answer (created False); with other content it is
refused (409). The region must have a policy pack in force in the appropriation's year.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import appropriations
from medfund_billing.app.premium_completed import SOURCE
from medfund_billing.domain.appropriation import Appropriation
from medfund_shared import outbox
from medfund_shared.errors import ApiError
from medfund_shared.events.types.billing import AppropriationRecorded
from medfund_shared.money import Money
from medfund_shared.policy.catalogue import NoPackInForce, PolicyCatalogue
from medfund_shared.refusal import no_policy_pack

RESIDENT = "390"


async def record_appropriation(item: Appropriation, session: AsyncSession,
                               catalogue: PolicyCatalogue) -> tuple[dict, bool]:
    """(the appropriation as stored, created)."""
    try:
        catalogue.in_force(item.admdvs, RESIDENT, date(item.year, 12, 31))
    except NoPackInForce:
        raise no_policy_pack(f"no resident scheme of region {item.admdvs} is in force in {item.year}") from None
    inserted = await session.scalar(insert(appropriations).values(
        appropriation_id=item.appropriation_id, admdvs=item.admdvs, fund_pay_type=item.fund_pay_type,
        year=item.year, amount_fen=item.amount.fen, received_at=item.received_at, source=item.source,
        voucher_no=item.voucher_no, fingerprint=item.fingerprint(),
    ).on_conflict_do_nothing().returning(appropriations.c.appropriation_id))
    if inserted is not None:
        await outbox.add(session, AppropriationRecorded(
            appropriation_id=item.appropriation_id, admdvs=item.admdvs, fund_pay_type=item.fund_pay_type,
            year=item.year, amount=item.amount, received_at=item.received_at, source=item.source,
            voucher_no=item.voucher_no), source=SOURCE, effective_time=item.received_at)
        await session.commit()
    row = (await session.execute(select(appropriations)
                                 .where(appropriations.c.appropriation_id == item.appropriation_id))).one()
    if inserted is None and row.fingerprint != item.fingerprint():
        raise ApiError(409, "conflict", "this appropriation_id was recorded with different content",
                       "appropriation_id")
    return appropriation_answer(row), inserted is not None


def appropriation_answer(row) -> dict:
    return {"appropriation_id": row.appropriation_id, "admdvs": row.admdvs, "fund_pay_type": row.fund_pay_type,
            "year": row.year, "amount": Money(row.amount_fen).to_yuan(), "received_at": row.received_at.isoformat(),
            "source": row.source, "voucher_no": row.voucher_no}
