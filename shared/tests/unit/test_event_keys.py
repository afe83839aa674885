"""Every event type's Kafka key and CloudEvents subject come from the data fields they always came from.

The table was recorded from the event types before they named their key and subject fields declaratively
(each type built with every field holding its own name); it is the wire contract consumers partition by.
"""

from __future__ import annotations

import pytest

from medfund_shared.events.base import EventData
from medfund_shared.events.registry import all_types, register
from medfund_shared.events.types.billing import ContributionReceived, ContributionRefunded

KEY_AND_SUBJECT = {
    "medfund.billing.appropriation.recorded.v1": ("admdvs", "appropriation_id"),
    "medfund.billing.contribution.matched.v1": ("psn_no", "tax_voucher_no"),
    "medfund.billing.contribution.on_behalf_paid.v1": ("psn_no", "payment_id"),
    "medfund.billing.contribution.on_behalf_withdrawn.v1": ("psn_no", "payment_id"),
    "medfund.billing.contribution.received.v1": ("psn_no", "tax_voucher_no"),
    "medfund.billing.contribution.refunded.v1": ("psn_no", "tax_voucher_no"),
    "medfund.billing.contribution.reversed.v1": ("psn_no", "tax_voucher_no"),
    "medfund.billing.employee.account_credited.v1": ("psn_no", "credit_id"),
    "medfund.billing.employee.contribution_declared.v1": ("psn_no", "declaration_id"),
    "medfund.billing.employee.contribution_withdrawn.v1": ("psn_no", "declaration_id"),
    "medfund.billing.premium.paid_in_full.v1": ("psn_no", "psn_no"),
    "medfund.billing.premium.withdrawn.v1": ("psn_no", "psn_no"),
    "medfund.billing.subsidy.allocated.v1": ("psn_no", "subsidy_id"),
    "medfund.billing.subsidy.withdrawn.v1": ("psn_no", "subsidy_id"),
    "medfund.claims.institution.registered.v1": ("fixmedins_code", "fixmedins_code"),
    "medfund.claims.settlement.completed.v1": ("psn_no", "setl_id"),
    "medfund.claims.settlement.reversed.v1": ("psn_no", "setl_id"),
    "medfund.enrollment.coverage.activated.v1": ("psn_no", "psn_no"),
    "medfund.enrollment.coverage.refused.v1": ("psn_no", "psn_no"),
    "medfund.enrollment.coverage.reinstated.v1": ("psn_no", "psn_no"),
    "medfund.enrollment.coverage.suspended.v1": ("psn_no", "psn_no"),
    "medfund.enrollment.coverage.terminated.v1": ("psn_no", "psn_no"),
    "medfund.enrollment.person.category_changed.v1": ("psn_no", "psn_no"),
    "medfund.enrollment.person.registered.v1": ("psn_no", "psn_no"),
    "medfund.enrollment.population.eligible_set.v1": ("admdvs:year", "admdvs:year"),
    "medfund.fund.alert.v1": ("rule:subject_id", "alert_id"),
    "medfund.ledger.balance.brought_forward.v1": ("pool_id", "pool_id"),
    "medfund.ledger.clearing.booked.v1": ("fixmedins_code", "clearing_id"),
    "medfund.ledger.transfer.booked.v1": ("from_pool_id", "transfer_id"),
}


def named_after_its_fields(model: type[EventData], **values) -> EventData:
    return model.model_construct(**({field: field for field in model.model_fields} | values))


def test_every_event_type_is_in_the_table():
    assert set(all_types()) == set(KEY_AND_SUBJECT)


@pytest.mark.parametrize("event_type", sorted(KEY_AND_SUBJECT))
def test_key_and_subject_come_from_the_same_fields(event_type):
    data = named_after_its_fields(all_types()[event_type])
    assert (data.partition_key(), data.subject()) == KEY_AND_SUBJECT[event_type]


@pytest.mark.parametrize("model", [ContributionReceived, ContributionRefunded])
def test_a_payment_not_yet_matched_to_a_person_is_keyed_by_the_payers_id_number(model):
    assert named_after_its_fields(model, psn_no=None).partition_key() == "certno"


def test_a_type_that_names_no_key_cannot_be_registered():
    class Nameless(EventData):
        event_type = "medfund.test.nameless.v1"
        topic = "medfund.test.v1"
        subject_field = "thing"

    with pytest.raises(TypeError, match="names no key_field"):
        register(Nameless)
