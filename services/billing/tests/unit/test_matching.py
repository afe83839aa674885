"""Matching payments to the premium due: full, partial, over; completion happens exactly once."""

from medfund_billing.app.accept_payments import received_event
from medfund_billing.domain.matching import PremiumAccount, apply_payment, change_due, unmatched, withdraw
from medfund_billing.domain.payment_record import parse_record
from medfund_shared.events.types.billing import ContributionReceived
from medfund_shared.money import Money


def account(due: str = "140.00", paid: str = "0") -> PremiumAccount:
    return PremiumAccount("P1", 2026, "500240199001011234", "500240", "390", "500240-390-2026-01-01",
                          Money.from_yuan(due), Money.from_yuan(paid), False)


def test_partial_payments_complete_the_premium_only_when_the_total_covers_it():
    first, partial = apply_payment(account(), Money.from_yuan("100"))
    second, full = apply_payment(first, Money.from_yuan("40"))
    assert (partial.match, partial.shortfall, partial.completes_premium) == ("partial", Money(4000), False)
    assert (full.match, full.paid_total, full.completes_premium) == ("full", Money(14000), True)
    assert second.paid_in_full


def test_an_overpayment_is_a_credit_and_a_later_payment_does_not_complete_again():
    after, over = apply_payment(account(), Money.from_yuan("150"))
    _, later = apply_payment(after, Money.from_yuan("1"))
    assert (over.match, over.credit, over.completes_premium) == ("over", Money(1000), True)
    assert (later.match, later.credit, later.completes_premium) == ("over", Money(1100), False)


def test_an_unmatched_payment_owes_and_credits_nothing():
    match = unmatched(Money(500))
    assert (match.match, match.premium_due, match.credit) == ("unmatched", Money(0), Money(0))
    assert match.paid_total == Money(500)


def test_a_lower_premium_after_a_category_change_can_complete_what_was_paid():
    partly, _ = apply_payment(account(), Money.from_yuan("50"))
    changed, completes = change_due(partly, Money.from_yuan("50"))
    assert completes and changed.paid_in_full


def test_a_refund_takes_the_money_back_out_of_the_paid_total():
    paid, _ = apply_payment(account(), Money.from_yuan("140"))
    assert withdraw(paid, Money.from_yuan("140")).paid == Money(0)


def test_a_refund_that_leaves_the_premium_short_undoes_the_completion_and_paying_again_completes_it_again():
    paid, _ = apply_payment(account(), Money.from_yuan("140"))
    refunded = withdraw(paid, Money.from_yuan("140"))
    assert (refunded.paid, refunded.paid_in_full, refunded.shortfall) == (Money(0), False, Money(14000))
    again, match = apply_payment(refunded, Money.from_yuan("140"))
    assert (match.match, match.completes_premium, again.paid_in_full) == ("full", True, True)


def test_a_refund_of_an_overpayment_keeps_the_premium_paid_in_full():
    paid, _ = apply_payment(account(), Money.from_yuan("140"))
    over, _ = apply_payment(paid, Money.from_yuan("20"))
    assert withdraw(over, Money.from_yuan("20")).paid_in_full is True, "140.00 still paid against 140.00 due"
    assert withdraw(over, Money.from_yuan("140")).paid_in_full is False, "20.00 left against 140.00 due"


def test_the_received_event_built_without_validation_is_the_validated_one():
    record = parse_record({"tax_voucher_no": "V1", "certno": "500240199001011234", "psn_name": "李四",
                           "insutype": "390", "admdvs": "500240", "period_year": "2026", "amount": "150.00",
                           "paid_at": "2025-11-15T10:00:00+08:00", "tax_office_code": "T1", "channel": "etax"})
    _, match = apply_payment(account(), record.amount)
    for psn_no, how in (("P1", match), (None, unmatched(record.amount))):
        built = received_event("pay-1", record, psn_no, how)
        validated = ContributionReceived.model_validate(built.model_dump(mode="json"))
        assert built.model_dump_json() == validated.model_dump_json()
        assert validated.credit == how.credit and validated.match == how.match
