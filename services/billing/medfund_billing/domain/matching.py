"""Matching a payment to what the person owes for the year: full, partial, over or unmatched.

Only the individual premium counts here; the government's share (on-behalf) and the per-capita
subsidy are separate money. The premium is *completed* by the payment that first brings the paid
total up to the premium due; that payment triggers ``premium.paid_in_full``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from medfund_shared.money import Money


@dataclass(frozen=True, slots=True)
class PremiumAccount:
    """One person's individual premium for one insurance year, and what has been paid toward it."""

    psn_no: str
    year: int
    certno: str
    admdvs: str
    insutype: str
    pack_id: str
    premium_due: Money
    paid: Money
    paid_in_full: bool

    @property
    def shortfall(self) -> Money:
        return max(self.premium_due - self.paid, Money.zero())

    @property
    def credit(self) -> Money:
        """Paid beyond the premium due: refundable to the payer."""
        return max(self.paid - self.premium_due, Money.zero())

    @property
    def covers_premium(self) -> bool:
        return self.paid >= self.premium_due


@dataclass(frozen=True, slots=True)
class PaymentMatch:
    match: str
    premium_due: Money
    paid_total: Money
    shortfall: Money
    credit: Money
    completes_premium: bool


def apply_payment(account: PremiumAccount, amount: Money) -> tuple[PremiumAccount, PaymentMatch]:
    """The account after ``amount`` is paid into it, and how the payment matched."""
    after = replace(account, paid=account.paid + amount)
    completes = not account.paid_in_full and after.covers_premium
    after = replace(after, paid_in_full=account.paid_in_full or completes)
    if after.paid == after.premium_due:
        match = "full"
    elif after.paid < after.premium_due:
        match = "partial"
    else:
        match = "over"
    return after, PaymentMatch(match, after.premium_due, after.paid, after.shortfall, after.credit, completes)


def unmatched(amount: Money) -> PaymentMatch:
    """A payment for nobody we know (yet): held in suspense, nothing owed or credited."""
    zero = Money.zero()
    return PaymentMatch("unmatched", zero, amount, zero, zero, False)


def withdraw(account: PremiumAccount, amount: Money) -> PremiumAccount:
    """The account after a refund or reversal takes ``amount`` back out: no longer ``paid_in_full`` when what
    stays paid is below the premium due (the cover and the government's money go back; paying the shortfall
    completes the premium again)."""
    after = replace(account, paid=account.paid - amount)
    return replace(after, paid_in_full=account.paid_in_full and after.covers_premium)


def change_due(account: PremiumAccount, premium_due: Money) -> tuple[PremiumAccount, bool]:
    """A new premium due (category change); True when what was already paid now covers it."""
    after = replace(account, premium_due=premium_due)
    completes = not account.paid_in_full and after.covers_premium
    return replace(after, paid_in_full=account.paid_in_full or completes), completes
