"""Adjudication's ``app/`` use cases against ``FakeUnitOfWork``: state, events, idempotency and refusals.

Expected amounts are hand figures: E6 of benefit-calculation.md (Shizhu 500240, tier 2, primary hospital,
inpatient, A 3000.00 + B 500.00: the pooled fund pays 2847.50, the person 652.50)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet

from medfund_adjudication.adapters.passtoken_cipher import PasstokenCipher
from medfund_adjudication.adapters.uow import RequestKey
from medfund_adjudication.app.admission import admit
from medfund_adjudication.app.commands import Admit, PutCatalogueItem, RegisterInstitution, Reverse, Settle
from medfund_adjudication.app.gateway_access import (
    AdmitCall,
    SetCredentials,
    SignInCommand,
    SignOutCommand,
    admit_call,
    set_credentials,
    sign_in,
    sign_out,
)
from medfund_adjudication.app.registry import put_catalogue_item, register_institution
from medfund_adjudication.app.reverse import reverse_settlement
from medfund_adjudication.app.settle import settle_visit
from medfund_adjudication.domain.admission import Admission
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_adjudication.domain.gateway_access import SignIn
from medfund_adjudication.domain.his_signature import SignedHeaders
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_adjudication.domain.settlement import Accumulators
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.types.claims import InstitutionRegistered, SettlementReversed
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.refusal import Refusal

from .fakes import FakeUnitOfWork

PACKS = PackSet.load()
HOSPITAL = RegisteredInstitution("H500240P", "石柱县人民医院", "500240", "primary", Money.from_yuan("1000000"))
PSN = "P000000000001"
ADMITTED_AT = datetime(2026, 3, 1, 9, 0, tzinfo=CHINA_TIME)
SETTLED_AT = datetime(2026, 3, 6, 10, 0, tzinfo=CHINA_TIME)


def cover(psn_no: str = PSN) -> Coverage:
    return Coverage(psn_no, "390", 2026, "500240", "500240197601010011", "张三", "1", date(1976, 1, 1), "adult",
                    "tier2", date(2026, 1, 1), date(2026, 12, 31), "500240-390-2026-01-01")


def msgid(key: str, *content) -> RequestKey:
    """A gateway msgid whose answer is the result's ``repr`` (enough to compare a replay with the first answer)."""
    return RequestKey.of(f"nhsa:{HOSPITAL.fixmedins_code}", key, list(content), repr, "msgid")


def world() -> FakeUnitOfWork:
    """The hospital, the catalogue's A and B, and the person covered in 2026."""
    uow = FakeUnitOfWork(PACKS)
    uow.registry.institutions[HOSPITAL.fixmedins_code] = HOSPITAL
    uow.registry.catalogue |= {"A": CatalogueItem("A", "甲类", "A", None), "B": CatalogueItem("B", "乙类", "B", None)}
    uow.coverage.covers[(PSN, "390", 2026)] = cover()
    return uow


def fee(mdtrt_id: str, sn: str, code: str, yuan: str) -> FeeLine:
    amount = Money.from_yuan(yuan)
    return FeeLine(sn, mdtrt_id, PSN, code, None, ADMITTED_AT, Decimal(1), amount.to_decimal(), amount)


def discharged_stay(uow: FakeUnitOfWork, mdtrt_id: str = "MD1") -> str:
    """An inpatient stay discharged with A 3000.00 and B 500.00 uploaded."""
    uow.admissions.admissions[mdtrt_id] = Admission(mdtrt_id, PSN, "390", HOSPITAL.fixmedins_code, "21",
                                                    ADMITTED_AT, False, (), endtime=SETTLED_AT)
    for line in (fee(mdtrt_id, "1", "A", "3000.00"), fee(mdtrt_id, "2", "B", "500.00")):
        uow.admissions.fees[(mdtrt_id, line.feedetl_sn)] = (line, None)
    return mdtrt_id


def settlement(mdtrt_id: str, total: str = "3500.00", request: RequestKey | None = None) -> Settle:
    return Settle(HOSPITAL.fixmedins_code, mdtrt_id, PSN, None, Money.from_yuan(total), False, "M-1", SETTLED_AT,
                  request=request)


async def test_a_settlement_records_the_amounts_the_fee_ties_and_one_event():
    uow = world()
    mdtrt_id = discharged_stay(uow)
    answer = await settle_visit(settlement(mdtrt_id), uow)
    record = answer.result.record
    assert (record.result.hifp_pay.to_yuan(), record.result.psn_cash_pay.to_yuan()) == ("2847.50", "652.50")
    assert uow.settlements.records == {record.setl_id: record}
    assert uow.admissions.unsettled(mdtrt_id) == []
    [event] = uow.outbox_rows
    assert event["type"] == "medfund.claims.settlement.completed.v1"
    assert uow.relay_woken == 1
    assert uow.settlements.accumulators[(PSN, 2026)][0].inpatient_paid == Money.from_yuan("2847.50")


async def test_a_retried_settlement_msgid_gets_the_first_answer_and_records_nothing_more():
    uow = world()
    mdtrt_id = discharged_stay(uow)
    first = await settle_visit(settlement(mdtrt_id, request=msgid("m-1", "2304", mdtrt_id, "3500.00")), uow)
    again = await settle_visit(settlement(mdtrt_id, request=msgid("m-1", "2304", mdtrt_id, "3500.00")), uow)
    assert again.text == first.text and again.result is None
    assert len(uow.settlements.records) == 1 and len(uow.outbox_rows) == 1


async def test_a_settlement_msgid_reused_for_other_content_is_refused_as_the_gateway_documents():
    uow = world()
    mdtrt_id = discharged_stay(uow)
    await settle_visit(settlement(mdtrt_id, request=msgid("m-1", "2304", mdtrt_id, "3500.00")), uow)
    with pytest.raises(Refusal) as refused:
        await settle_visit(settlement(mdtrt_id, "3499.00", msgid("m-1", "2304", mdtrt_id, "3499.00")), uow)
    assert (refused.value.code, refused.value.field) == ("conflict", "msgid")
    assert refused.value.message == "msgid was already used for a different request"


async def test_a_total_that_differs_from_the_uploaded_fees_is_refused_and_records_nothing():
    uow = world()
    mdtrt_id = discharged_stay(uow)
    with pytest.raises(Refusal) as refused:
        await settle_visit(settlement(mdtrt_id, "3400.00"), uow)
    assert (refused.value.code, refused.value.field) == ("invalid", "medfee_sumamt")
    assert (uow.settlements.records, uow.outbox_rows, uow.relay_woken) == ({}, [], 0)


async def test_a_reversal_negates_the_settlement_restores_the_year_and_frees_the_fees():
    uow = world()
    mdtrt_id = discharged_stay(uow)
    settled = (await settle_visit(settlement(mdtrt_id), uow)).result.record
    answer = await reverse_settlement(Reverse(HOSPITAL.fixmedins_code, mdtrt_id, settled.setl_id, PSN,
                                              SETTLED_AT + timedelta(hours=1)), uow)
    reversal = answer.result.record
    assert (reversal.kind, reversal.original_setl_id) == ("reversal", settled.setl_id)
    assert (reversal.result.hifp_pay.to_yuan(), reversal.result.psn_cash_pay.to_yuan()) == ("-2847.50", "-652.50")
    assert uow.settlements.accumulators[(PSN, 2026)] == (Accumulators(), 2)
    assert (uow.settlements.versions[settled.setl_id], uow.settlements.versions[reversal.setl_id]) == (1, 2)
    assert [line.feedetl_sn for line in uow.admissions.unsettled(mdtrt_id)] == ["1", "2"]
    [(event, at)] = uow.events
    assert isinstance(event, SettlementReversed) and event.original_setl_id == settled.setl_id
    assert at == SETTLED_AT + timedelta(hours=1) and uow.commits == 1


async def test_a_settlement_is_reversed_once():
    uow = world()
    mdtrt_id = discharged_stay(uow)
    settled = (await settle_visit(settlement(mdtrt_id), uow)).result.record
    reverse = Reverse(HOSPITAL.fixmedins_code, mdtrt_id, settled.setl_id, PSN, SETTLED_AT + timedelta(hours=1))
    await reverse_settlement(reverse, uow)
    with pytest.raises(Refusal) as refused:
        await reverse_settlement(reverse, uow)
    assert (refused.value.code, refused.value.field) == ("conflict", "setl_id")
    assert len(uow.events) == 1 and uow.commits == 1


def admission_of(psn_no: str = PSN, request: RequestKey | None = None) -> Admit:
    return Admit(HOSPITAL.fixmedins_code, psn_no, "390", "21", ADMITTED_AT, False, "IPT-1", (), ("21",), request)


async def test_an_admission_of_a_covered_person_is_stored_and_its_msgid_replays_its_answer():
    uow = world()
    first = await admit(admission_of(request=msgid("m-2", "2401", PSN)), uow)
    again = await admit(admission_of(request=msgid("m-2", "2401", PSN)), uow)
    assert list(uow.admissions.admissions) == [first.result.mdtrt_id]
    assert again.text == first.text and uow.commits == 1
    with pytest.raises(Refusal) as refused:
        await admit(admission_of(request=msgid("m-2", "2401", "P-other")), uow)
    assert (refused.value.code, refused.value.field) == ("conflict", "msgid")


async def test_an_admission_of_someone_not_covered_is_refused_and_leaves_the_msgid_free():
    uow = world()
    with pytest.raises(Refusal) as refused:
        await admit(admission_of("P-uncovered", msgid("m-3", "2401", "P-uncovered")), uow)
    assert refused.value.code == "not_covered"
    assert (uow.admissions.admissions, uow.commits) == ({}, 0)
    assert await uow.claim(msgid("m-3", "2401", "P-uncovered")) is None


async def test_an_institution_registration_announces_itself_only_when_new_or_changed():
    uow = FakeUnitOfWork(PACKS)
    at = datetime(2026, 1, 2, 9, 0, tzinfo=CHINA_TIME)
    await register_institution(RegisterInstitution(HOSPITAL, at), uow)
    await register_institution(RegisterInstitution(HOSPITAL, at), uow)
    bigger = RegisteredInstitution(HOSPITAL.fixmedins_code, HOSPITAL.name, HOSPITAL.admdvs, HOSPITAL.level,
                                   Money.from_yuan("2000000"), 2026)
    await register_institution(RegisterInstitution(bigger, at), uow)
    assert [(type(e), e.annual_budget.to_yuan(), t) for e, t in uow.events] == [
        (InstitutionRegistered, "1000000.00", at), (InstitutionRegistered, "2000000.00", at)]
    assert uow.registry.institutions == {HOSPITAL.fixmedins_code: bigger} and uow.commits == 3


async def test_a_catalogue_item_is_stored():
    uow = FakeUnitOfWork(PACKS)
    item = CatalogueItem("B90", "乙类限价", "B", Decimal("90"))
    await put_catalogue_item(PutCatalogueItem(item), uow)
    assert uow.registry.catalogue == {"B90": item} and uow.events == []


NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def bearer_call(sign_no: str | None) -> AdmitCall:
    return AdmitCall(None, HOSPITAL.fixmedins_code, HOSPITAL.fixmedins_code, sign_no, True, NOW, 300)


async def test_a_sign_in_opens_a_session_a_sign_out_closes_it_and_a_call_on_it_is_then_refused():
    uow = world()
    signed_in = (await sign_in(SignInCommand(HOSPITAL.fixmedins_code, "opter-1", None, None, NOW), uow)).result
    assert len(signed_in.sign_no) == 24 and signed_in.sign_no.isdigit()
    assert await admit_call(bearer_call(signed_in.sign_no), uow) == HOSPITAL.fixmedins_code
    await sign_out(SignOutCommand(HOSPITAL.fixmedins_code, signed_in.sign_no, NOW), uow)
    assert uow.gateway_access.sign_ins[signed_in.sign_no].signed_out_at == NOW
    with pytest.raises(Refusal) as refused:
        await admit_call(bearer_call(signed_in.sign_no), uow)
    assert (refused.value.code, refused.value.field) == ("unauthorized", "sign_no")
    with pytest.raises(Refusal):
        await sign_out(SignOutCommand(HOSPITAL.fixmedins_code, signed_in.sign_no, NOW), uow)
    assert uow.commits == 2


async def test_a_sign_no_of_another_institution_is_refused():
    uow = world()
    uow.gateway_access.sign_ins["1" * 24] = SignIn("1" * 24, "H999999X", "opter-9", NOW, None)
    with pytest.raises(Refusal) as refused:
        await admit_call(bearer_call("1" * 24), uow)
    assert (refused.value.code, refused.value.field) == ("unauthorized", "sign_no")


def signed(passtoken: str, nonce: str) -> SignedHeaders:
    timestamp = str(int(NOW.timestamp()))
    digest = hashlib.sha256(f"{timestamp}{passtoken}{nonce}{timestamp}".encode()).hexdigest()
    return SignedHeaders("paas-1", timestamp, nonce, digest)


async def test_a_signed_call_acts_for_the_credentials_institution_and_its_nonce_is_used_once():
    uow = FakeUnitOfWork(PACKS, PasstokenCipher(Fernet.generate_key().decode()))
    await set_credentials(SetCredentials(HOSPITAL.fixmedins_code, "paas-1", "token-1"), uow)
    call = AdmitCall(signed("token-1", "n-1"), None, HOSPITAL.fixmedins_code, None, False, NOW, 300)
    assert await admit_call(call, uow) == HOSPITAL.fixmedins_code
    with pytest.raises(Refusal) as refused:
        await admit_call(call, uow)
    assert (refused.value.code, refused.value.field) == ("unauthorized", "x-tif-nonce")
    forged = AdmitCall(signed("token-2", "n-2"), None, HOSPITAL.fixmedins_code, None, False, NOW, 300)
    with pytest.raises(Refusal) as refused:
        await admit_call(forged, uow)
    assert refused.value.field == "x-tif-signature"
    with pytest.raises(Refusal) as refused:
        await set_credentials(SetCredentials("H999999X", "paas-1", "token-3"), uow)
    assert (refused.value.code, refused.value.field) == ("conflict", "paasid")
    assert list(uow.gateway_access.credentials) == ["paas-1"]
