"""Enrollment and billing events into the coverage read model and the account balances.

Handlers read the event's ``data`` through small local readers (docs/events.md field names), so a
producer's model may add fields freely. They run inside the consumer's transaction; never commit.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters import coverage_repo
from medfund_adjudication.app.times import business_date
from medfund_adjudication.domain.coverage import CategoryChange, Coverage
from medfund_shared.consumer import ConsumerSpec
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.money import Money, YuanAmount

ACTIVATED = "medfund.enrollment.coverage.activated.v1"
CATEGORY_CHANGED = "medfund.enrollment.person.category_changed.v1"
REGISTERED = "medfund.enrollment.person.registered.v1"
SUSPENDED = "medfund.enrollment.coverage.suspended.v1"
REINSTATED = "medfund.enrollment.coverage.reinstated.v1"
TERMINATED = "medfund.enrollment.coverage.terminated.v1"
ACCOUNT_CREDITED = "medfund.billing.employee.account_credited.v1"
CONTRIBUTION_DECLARED = "medfund.billing.employee.contribution_declared.v1"
CONTRIBUTION_WITHDRAWN = "medfund.billing.employee.contribution_withdrawn.v1"
RESIDENT = "390"
EMPLOYEE = "310"
RETIRED = "retired"
"""Enrollment changes categories on resident enrollments only, so ``category_changed`` names no scheme."""


class _Reader(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Activated(_Reader):
    psn_no: str
    certno: str
    admdvs: str
    insutype: str
    year: int
    category: str
    tier: str | None = None
    coverage_from: date
    coverage_to: date
    brdy: date
    gend: str
    psn_name: str
    pack_id: str


class _CategoryChanged(_Reader):
    psn_no: str
    year: int
    category: str
    tier: str | None = None


class _Registered(_Reader):
    psn_no: str
    insutype: str
    ssc_no: str | None = None
    employee_kind: str | None = None


class _Change(_Reader):
    psn_no: str
    insutype: str
    year: int
    since: date | None = None
    on: date | None = None


class _Credit(_Reader):
    psn_no: str
    period: str
    amount: YuanAmount


class _Declared(_Reader):
    psn_no: str
    period: str
    account_amount: YuanAmount


async def on_activated(session: AsyncSession, event: CloudEvent, _data) -> None:
    d = _Activated.model_validate(event.data)
    await coverage_repo.save(session, Coverage(d.psn_no, d.insutype, d.year, d.admdvs, d.certno, d.psn_name, d.gend,
                                               d.brdy, d.category, d.tier or None, d.coverage_from, d.coverage_to,
                                               d.pack_id))


async def on_category_changed(session: AsyncSession, event: CloudEvent, _data) -> None:
    """The new category holds for admissions from the change date (the event's business time) on.

    Enrollment keys this and ``coverage.activated`` by ``psn_no``, so both reach us in its order on one
    partition, and we rely on that: a change made after the activation arrives after it and is recorded
    here; a change made before it finds no cover yet and is skipped, because the activation carries the
    category as changed (which is also why an activation starts the year's changes afresh).
    """
    d = _CategoryChanged.model_validate(event.data)
    current = await coverage_repo.get(session, d.psn_no, RESIDENT, d.year)
    if current is not None:
        change = CategoryChange(business_date(event.effectivetime), d.category, d.tier or None)
        await coverage_repo.save(session, current.change_category(change))


async def on_registered(session: AsyncSession, event: CloudEvent, _data) -> None:
    """The social security card number (1101 finds a person by it, ``mdtrt_cert_type`` 03) and, under 310,
    whether the person is retired: a retiree covered by contribution years has the retiree uplift from the
    first settlement, before any account credit (billing's later events still win by period)."""
    d = _Registered.model_validate(event.data)
    if d.ssc_no:
        await coverage_repo.record_card(session, d.psn_no, d.ssc_no)
    if d.insutype == EMPLOYEE and d.employee_kind is not None:
        await coverage_repo.record_employment(session, d.psn_no, f"{business_date(event.effectivetime):%Y-%m}",
                                              retired=d.employee_kind == RETIRED)


async def _change(session: AsyncSession, event: CloudEvent, apply) -> None:
    d = _Change.model_validate(event.data)
    current = await coverage_repo.get(session, d.psn_no, d.insutype, d.year)
    if current is None:
        raise LookupError(f"{event.type} for {d.psn_no}/{d.insutype}/{d.year} before its coverage.activated")
    await coverage_repo.save(session, apply(current, d))


async def on_suspended(session: AsyncSession, event: CloudEvent, _data) -> None:
    await _change(session, event, lambda c, d: c.suspend(d.since))


async def on_reinstated(session: AsyncSession, event: CloudEvent, _data) -> None:
    await _change(session, event, lambda c, d: c.reinstate(d.since))


async def on_terminated(session: AsyncSession, event: CloudEvent, _data) -> None:
    await _change(session, event, lambda c, d: c.terminate(d.on))


async def on_account_credited(session: AsyncSession, event: CloudEvent, _data) -> None:
    """Only retirees get this credit (``source`` retiree_pension): it is how we learn someone is retired."""
    d = _Credit.model_validate(event.data)
    await coverage_repo.credit(session, f"event:{event.id}", d.psn_no, d.amount)
    await coverage_repo.record_employment(session, d.psn_no, d.period, retired=True)


async def on_contribution_declared(session: AsyncSession, event: CloudEvent, _data) -> None:
    """A declared contribution is for an employee in service."""
    d = _Declared.model_validate(event.data)
    await coverage_repo.record_employment(session, d.psn_no, d.period, retired=False)
    if d.account_amount != Money(0):
        await coverage_repo.credit(session, f"event:{event.id}", d.psn_no, d.account_amount)


async def on_contribution_withdrawn(session: AsyncSession, event: CloudEvent, _data) -> None:
    """A flexible worker's month refunded: its account credit comes back out (the balance may go below zero when
    the money was already spent; the ledger's sub-ledger shows the same)."""
    d = _Declared.model_validate(event.data)
    if d.account_amount != Money(0):
        await coverage_repo.credit(session, f"event:{event.id}", d.psn_no, Money(-d.account_amount.fen))


def consumers() -> list[ConsumerSpec]:
    return [ConsumerSpec("adjudication-coverage", ["medfund.enrollment.v1", "medfund.billing.v1"], {
        ACTIVATED: on_activated, CATEGORY_CHANGED: on_category_changed, REGISTERED: on_registered,
        SUSPENDED: on_suspended,
        REINSTATED: on_reinstated, TERMINATED: on_terminated,
        ACCOUNT_CREDITED: on_account_credited, CONTRIBUTION_DECLARED: on_contribution_declared,
        CONTRIBUTION_WITHDRAWN: on_contribution_withdrawn})]
