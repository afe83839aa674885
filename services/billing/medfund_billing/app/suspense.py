"""Payments held in suspense (no known person for the voucher's ID number and year) and how they
leave it: automatically when the person registers for that year, or by an operator naming the person.
A suspended payment is never dropped; its income was booked when it was received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters import accounts
from medfund_billing.adapters.tables import corrections, payments
from medfund_billing.app.premium_completed import SOURCE, premium_completed
from medfund_billing.domain.matching import PremiumAccount, apply_payment
from medfund_shared import outbox
from medfund_shared.errors import ApiError
from medfund_shared.events.types.billing import ContributionMatched
from medfund_shared.money import Money
from medfund_shared.policy.catalogue import PolicyCatalogue


@dataclass(frozen=True)
class ResolveSuspense:
    payment_id: str
    psn_no: str


def in_suspense():
    """Payments with no person and no refund or reversal."""
    return select(payments).where(payments.c.psn_no.is_(None),
                                  ~payments.c.payment_id.in_(select(corrections.c.payment_id)))


async def attach_suspended(session: AsyncSession, catalogue: PolicyCatalogue, account: PremiumAccount,
                           resolved_by: Literal["registration", "operator"],
                           only_payment_id: str | None = None) -> PremiumAccount:
    """Match the suspended payments for ``account``'s ID number and year, oldest first; the caller
    holds the account's lock and saves the account returned."""
    query = in_suspense().order_by(payments.c.paid_at, payments.c.tax_voucher_no).with_for_update()
    if only_payment_id is None:
        query = query.where(payments.c.certno == account.certno, payments.c.year == account.year,
                            payments.c.insutype == account.insutype)
    else:
        query = query.where(payments.c.payment_id == only_payment_id)
    for row in (await session.execute(query)).all():
        account, match = apply_payment(account, Money(row.amount_fen))
        await session.execute(update(payments).where(payments.c.payment_id == row.payment_id)
                              .values(psn_no=account.psn_no, match=match.match))
        await outbox.add(session, ContributionMatched(
            payment_id=row.payment_id, tax_voucher_no=row.tax_voucher_no, certno=row.certno, psn_no=account.psn_no,
            admdvs=row.admdvs, insutype=row.insutype, year=row.year, amount=Money(row.amount_fen),
            paid_at=row.paid_at, match=match.match, premium_due=match.premium_due, paid_total=match.paid_total,
            shortfall=match.shortfall, credit=match.credit, resolved_by=resolved_by,
        ), source=SOURCE, effective_time=row.paid_at)
        if match.completes_premium:
            await premium_completed(session, catalogue, account, row.paid_at, row.tax_voucher_no)
    return account


async def resolve(command: ResolveSuspense, session: AsyncSession, catalogue: PolicyCatalogue) -> dict:
    """An operator names the person a suspended payment was for; the person must be registered for
    the payment's year and scheme."""
    payment = (await session.execute(select(payments).where(payments.c.payment_id == command.payment_id))).first()
    if payment is None:
        raise ApiError(404, "not_found", "no such payment", "payment_id")
    if payment.psn_no is not None:
        raise ApiError(409, "already_matched", f"the payment is already matched to {payment.psn_no}", "payment_id")
    account = await accounts.lock_one(session, command.psn_no, payment.year)
    if account is None or account.insutype != payment.insutype:
        raise ApiError(422, "unknown_person",
                            f"{command.psn_no} is not registered for {payment.insutype} in {payment.year}", "psn_no")
    before = account
    account = await attach_suspended(session, catalogue, account, "operator", only_payment_id=command.payment_id)
    if account == before:
        raise ApiError(409, "not_in_suspense", "the payment was refunded or reversed", "payment_id")
    await accounts.save(session, [account])
    await session.commit()
    return {"payment_id": command.payment_id, "psn_no": account.psn_no, "paid_total": account.paid.to_yuan(),
            "shortfall": account.shortfall.to_yuan(), "credit": account.credit.to_yuan(),
            "paid_in_full": account.paid_in_full}
