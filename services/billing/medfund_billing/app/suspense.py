"""Payments held in suspense (no known person for the voucher's ID number and year) and how they
leave it: automatically when the person registers for that year, or by an operator naming the person.
A suspended payment is never dropped; its income was booked when it was received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app.premium_completed import premium_completed
from medfund_billing.domain.matching import PremiumAccount, apply_payment
from medfund_shared.events.types.billing import ContributionMatched
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.refusal import Refusal


@dataclass(frozen=True)
class ResolveSuspense:
    payment_id: str
    psn_no: str


async def attach_suspended(uow: BillingUnitOfWork, pack_set: PackSet, account: PremiumAccount,
                           resolved_by: Literal["registration", "operator"],
                           only_payment_id: str | None = None) -> PremiumAccount:
    """Match the suspended payments for ``account``'s ID number and year, oldest first; the caller
    holds the account's lock and saves the account returned."""
    for row in await uow.payments.lock_suspended(account.certno, account.year, account.insutype, only_payment_id):
        account, match = apply_payment(account, Money(row.amount_fen))
        await uow.payments.set_match(row.payment_id, account.psn_no, match.match)
        await uow.emit(ContributionMatched(
            payment_id=row.payment_id, tax_voucher_no=row.tax_voucher_no, certno=row.certno, psn_no=account.psn_no,
            admdvs=row.admdvs, insutype=row.insutype, year=row.year, amount=Money(row.amount_fen),
            paid_at=row.paid_at, match=match.match, premium_due=match.premium_due, paid_total=match.paid_total,
            shortfall=match.shortfall, credit=match.credit, resolved_by=resolved_by,
        ), row.paid_at)
        if match.completes_premium:
            await premium_completed(uow, pack_set, account, row.paid_at, row.tax_voucher_no)
    return account


async def resolve(command: ResolveSuspense, uow: BillingUnitOfWork, pack_set: PackSet) -> dict:
    """An operator names the person a suspended payment was for; the person must be registered for
    the payment's year and scheme."""
    async with uow:
        payment = await uow.payments.by_id(command.payment_id)
        if payment is None:
            raise Refusal.not_found("not_found", "no such payment", "payment_id")
        if payment.psn_no is not None:
            raise Refusal.conflict("already_matched", f"the payment is already matched to {payment.psn_no}",
                                   "payment_id")
        account = await uow.accounts.lock_one(command.psn_no, payment.year)
        if account is None or account.insutype != payment.insutype:
            raise Refusal.invalid("unknown_person",
                                  f"{command.psn_no} is not registered for {payment.insutype} in {payment.year}",
                                  "psn_no")
        before = account
        account = await attach_suspended(uow, pack_set, account, "operator", only_payment_id=command.payment_id)
        if account == before:
            raise Refusal.conflict("not_in_suspense", "the payment was refunded or reversed", "payment_id")
        await uow.accounts.save([account])
        await uow.commit()
    return {"payment_id": command.payment_id, "psn_no": account.psn_no, "paid_total": account.paid.to_yuan(),
            "shortfall": account.shortfall.to_yuan(), "credit": account.credit.to_yuan(),
            "paid_in_full": account.paid_in_full}
