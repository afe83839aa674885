"""Accepting tax-bureau payment records: store each voucher once, match it, queue its events.

Used for one JSON record and for each chunk of a file alike. Idempotency rests on the unique
voucher number (``INSERT … ON CONFLICT DO NOTHING``): a voucher seen before with the same content
is a duplicate, with other content a conflict; neither changes anything. New payments are stored
as unmatched and those matched to a person are updated, all in the caller's unit of work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from medfund_billing.adapters.accounts import CertKey
from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_billing.app import flexible_workers
from medfund_billing.app.premium_completed import Completion, allocate_government_money, completion_events
from medfund_billing.domain.matching import PaymentMatch, PremiumAccount, apply_payment, unmatched
from medfund_billing.domain.payment_record import PaymentRecord
from medfund_billing.domain.reconciliation import local_day
from medfund_shared.events.types.billing import ContributionReceived
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.schemes import EMPLOYEE_SCHEME


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    record: PaymentRecord


@dataclass
class AcceptOutcome:
    accepted: list[Entry] = field(default_factory=list)
    duplicates: list[Entry] = field(default_factory=list)
    conflicts: list[Entry] = field(default_factory=list)
    refused: list[flexible_workers.Refused] = field(default_factory=list)
    """New 310 records that buy no month (not a registered flexible worker, wrong amount…); nothing stored."""


async def accept_payments(uow: BillingUnitOfWork, pack_set: PackSet, entries: list[Entry], *,
                          office_zone: ZoneInfo, batch_id: str | None = None) -> AcceptOutcome:
    """Store, match and queue events for ``entries``; the caller commits."""
    outcome = AcceptOutcome()
    fresh = _first_of_each_voucher(entries, outcome)
    employee = [e for e in fresh if e.record.insutype == EMPLOYEE_SCHEME]
    new = await flexible_workers.new_vouchers(uow, [e.record.tax_voucher_no for e in employee])
    months, outcome.refused = await flexible_workers.judge(
        uow, pack_set, [e for e in employee if e.record.tax_voucher_no in new], office_zone)
    refused = {r.record.tax_voucher_no for r in outcome.refused}
    fresh = [e for e in fresh if e.record.tax_voucher_no not in refused]
    ids = {e.record.tax_voucher_no: str(uuid.uuid4()) for e in fresh}
    stored = await uow.payments.insert_new(
        [_payment_row(e.record, ids[e.record.tax_voucher_no], office_zone, batch_id) for e in fresh])
    await _classify_existing([e for e in fresh if e.record.tax_voucher_no not in stored], uow, outcome)
    outcome.accepted = [e for e in fresh if e.record.tax_voucher_no in stored]
    await _match_and_publish(uow, pack_set, [e for e in outcome.accepted if e.record.insutype != EMPLOYEE_SCHEME],
                             ids)
    await _publish_months(uow, [m for m in months if m.record.tax_voucher_no in stored], ids, office_zone)
    return outcome


async def _publish_months(uow: BillingUnitOfWork, months: list[flexible_workers.FlexibleMonth], ids: dict[str, str],
                          office_zone: ZoneInfo) -> None:
    matches, events = await flexible_workers.store(uow, months, office_zone)
    await uow.emit_all(events)
    await uow.payments.set_matches([{"payment_id": ids[m.pop("tax_voucher_no")], **m} for m in matches])


def _first_of_each_voucher(entries: list[Entry], outcome: AcceptOutcome) -> list[Entry]:
    first: dict[str, Entry] = {}
    for entry in entries:
        seen = first.get(entry.record.tax_voucher_no)
        if seen is None:
            first[entry.record.tax_voucher_no] = entry
        elif seen.record.fingerprint() == entry.record.fingerprint():
            outcome.duplicates.append(entry)
        else:
            outcome.conflicts.append(entry)
    return list(first.values())


async def _classify_existing(entries: list[Entry], uow: BillingUnitOfWork, outcome: AcceptOutcome) -> None:
    if not entries:
        return
    known = await uow.payments.fingerprints([e.record.tax_voucher_no for e in entries])
    for entry in entries:
        same = known.get(entry.record.tax_voucher_no) == entry.record.fingerprint()
        (outcome.duplicates if same else outcome.conflicts).append(entry)


def _payment_row(record: PaymentRecord, payment_id: str, office_zone: ZoneInfo, batch_id: str | None) -> dict:
    return {"payment_id": payment_id, "tax_voucher_no": record.tax_voucher_no, "fingerprint": record.fingerprint(),
            "certno": record.certno, "psn_name": record.psn_name, "insutype": record.insutype,
            "admdvs": record.admdvs, "year": record.period_year, "amount_fen": record.amount.fen,
            "paid_at": record.paid_at, "paid_on": local_day(record.paid_at, office_zone),
            "tax_office_code": record.tax_office_code, "channel": record.channel, "batch_id": batch_id}


@dataclass(frozen=True, slots=True)
class _Matched:
    entry: Entry
    psn_no: str | None
    match: PaymentMatch
    completion: Completion | None


async def _match_and_publish(uow: BillingUnitOfWork, pack_set: PackSet, entries: list[Entry],
                             ids: dict[str, str]) -> None:
    """Match in file order, so two payments for one person in one file add up as they should; then
    allocate the government's money of the premiums completed and queue the events, in file order."""
    if not entries:
        return
    locked = await uow.accounts.lock_by_certno(_key(e.record) for e in entries)
    steps = [_match(entry, locked) for entry in sorted(entries, key=lambda e: e.line)]
    government = await allocate_government_money(uow, pack_set, [s.completion for s in steps if s.completion])
    events = []
    for step in steps:
        record, payment_id = step.entry.record, ids[step.entry.record.tax_voucher_no]
        events.append((received_event(payment_id, record, step.psn_no, step.match), record.paid_at))
        if step.completion:
            events += completion_events(step.completion, government)
    await uow.emit_all(events)
    await uow.payments.set_matches([
        {"payment_id": ids[s.entry.record.tax_voucher_no], "psn_no": s.psn_no, "match": s.match.match}
        for s in steps if s.psn_no is not None])
    await uow.accounts.save(locked.values())


def _match(entry: Entry, locked: dict[CertKey, PremiumAccount]) -> _Matched:
    """Apply one payment to its (locked) account, updating ``locked``."""
    record, account = entry.record, locked.get(_key(entry.record))
    if account is None:
        return _Matched(entry, None, unmatched(record.amount), None)
    account, match = apply_payment(account, record.amount)
    locked[_key(record)] = account
    completion = Completion(account, record.paid_at, record.tax_voucher_no) if match.completes_premium else None
    return _Matched(entry, account.psn_no, match, completion)


def _key(record: PaymentRecord) -> CertKey:
    return record.certno, record.period_year, record.insutype


def received_event(payment_id: str, record: PaymentRecord, psn_no: str | None,
                   match: PaymentMatch) -> ContributionReceived:
    """Built without validation (``model_construct``): every value is already a validated domain value of the
    field's type, and a tax file builds one per line."""
    return ContributionReceived.model_construct(
        payment_id=payment_id, tax_voucher_no=record.tax_voucher_no, certno=record.certno, psn_no=psn_no,
        admdvs=record.admdvs, insutype=record.insutype, year=record.period_year, amount=record.amount,
        channel=record.channel, tax_office_code=record.tax_office_code, paid_at=record.paid_at,
        match=match.match, premium_due=match.premium_due, paid_total=match.paid_total,
        shortfall=match.shortfall, credit=match.credit)
