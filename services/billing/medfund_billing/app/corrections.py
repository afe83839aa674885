"""Refunds and reversals of an accepted payment: each its own record and event, never an edit of
the payment. A payment is corrected at most once; the same request again returns the first answer.
One that takes the person-year's premium, paid in full before, below the due withdraws the cover and the
government's money with it (:mod:`medfund_billing.app.premium_withdrawn`). A flexible worker's month (310) books
no ``contribution.received``, so its correction is ``employee.contribution_withdrawn`` alone, the mirror of the
month."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app import flexible_workers
from medfund_billing.app.premium_withdrawn import Withdrawal, premium_withdrawn
from medfund_billing.domain.matching import withdraw
from medfund_shared.events.types.billing import ContributionRefunded, ContributionReversed
from medfund_shared.money import Money
from medfund_shared.refusal import Refusal
from medfund_shared.schemes import EMPLOYEE_SCHEME

Kind = Literal["refund", "reversal"]


@dataclass(frozen=True)
class CorrectPayment:
    kind: Kind
    tax_voucher_no: str
    reason: str
    at: datetime
    """Business time of the refund or reversal (``refunded_at`` / ``reversed_at``)."""

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.kind}|{self.reason}|{self.at.isoformat()}".encode()).hexdigest()


async def correct_payment(command: CorrectPayment, uow: BillingUnitOfWork, office_zone: ZoneInfo,
                          restrict_to_office: str | None = None) -> tuple[dict, bool]:
    """(answer, created). The whole amount comes back out of the person's paid total."""
    async with uow:
        payment = await uow.payments.by_voucher(command.tax_voucher_no, for_update=True)
        if payment is None:
            raise Refusal.not_found("not_found", "no accepted payment with this voucher", "tax_voucher_no")
        if restrict_to_office is not None and payment.tax_office_code != restrict_to_office:
            raise Refusal.forbidden("forbidden", "this payment belongs to another tax office", "tax_office_code")
        existing = await uow.payments.correction_of(payment.payment_id)
        if existing is not None:
            if existing.kind == command.kind and existing.fingerprint == command.fingerprint():
                return _answer(existing.correction_id, command, payment), False
            raise Refusal.conflict(f"already_{existing.kind}", f"the payment already has a {existing.kind}",
                                   "tax_voucher_no")
        correction_id = str(uuid.uuid4())
        await uow.payments.add_correction(
            correction_id=correction_id, payment_id=payment.payment_id, kind=command.kind, reason=command.reason,
            amount_fen=payment.amount_fen, at=command.at, fingerprint=command.fingerprint())
        if payment.insutype == EMPLOYEE_SCHEME:
            await uow.emit(await flexible_workers.withdraw_month(uow, payment.tax_voucher_no, correction_id,
                                                                 command.kind, command.at, office_zone), command.at)
        else:
            await _withdraw_premium(uow, command, payment, correction_id, office_zone)
        await uow.commit()
    return _answer(correction_id, command, payment), True


async def _withdraw_premium(uow: BillingUnitOfWork, command: CorrectPayment, payment, correction_id: str,
                            office_zone: ZoneInfo) -> None:
    account = await uow.accounts.lock_one(payment.psn_no, payment.year) if payment.psn_no is not None else None
    await uow.emit(_event(correction_id, command, payment), command.at)
    if account is not None:
        after = withdraw(account, Money(payment.amount_fen))
        await uow.accounts.save([after])
        if account.paid_in_full and not after.paid_in_full:
            await premium_withdrawn(uow, after, Withdrawal(correction_id, command.kind, payment.tax_voucher_no,
                                                           command.at), office_zone)


def _event(correction_id: str, command: CorrectPayment, payment):
    common = dict(payment_id=payment.payment_id, tax_voucher_no=payment.tax_voucher_no, psn_no=payment.psn_no,
                  certno=payment.certno, admdvs=payment.admdvs, insutype=payment.insutype, year=payment.year,
                  amount=Money(payment.amount_fen), reason=command.reason)
    if command.kind == "refund":
        return ContributionRefunded(refund_id=correction_id, refunded_at=command.at, **common)
    return ContributionReversed(reversal_id=correction_id, reversed_at=command.at, **common)


def _answer(correction_id: str, command: CorrectPayment, payment) -> dict:
    return {f"{command.kind}_id": correction_id, "kind": command.kind, "payment_id": payment.payment_id,
            "tax_voucher_no": payment.tax_voucher_no, "amount": Money(payment.amount_fen).to_yuan(),
            "reason": command.reason, "at": command.at.isoformat()}
