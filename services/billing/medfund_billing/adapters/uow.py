"""Billing's unit of work: the shared one (:mod:`medfund_shared.unit_of_work`) with billing's repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.accounts import PremiumAccounts
from medfund_billing.adapters.appropriation_rows import Appropriations
from medfund_billing.adapters.batch_files import BatchFiles
from medfund_billing.adapters.employee_rows import EmployeeContributions
from medfund_billing.adapters.government_rows import GovernmentMoney
from medfund_billing.adapters.payment_rows import Payments
from medfund_shared.context import ServiceContext
from medfund_shared.events import sources
from medfund_shared.unit_of_work import SqlUnitOfWork


class BillingUnitOfWork(SqlUnitOfWork):
    """A request's transaction, a tax file chunk's, or (``joined``) a consumer's event inside the runner's batch."""

    source = sources.BILLING

    def attach(self, session: AsyncSession) -> None:
        self.accounts = PremiumAccounts(session)
        self.payments = Payments(session)
        self.government = GovernmentMoney(session)
        self.employees = EmployeeContributions(session)
        self.appropriations = Appropriations(session)
        self.batches = BatchFiles(session)


@asynccontextmanager
async def own_unit_of_work(context: ServiceContext) -> AsyncIterator[BillingUnitOfWork]:
    """A unit of work on a session of its own, outside any request's (a tax file commits chunk by chunk)."""
    async with context.session_factory() as session, BillingUnitOfWork(session, relay=context.relay) as uow:
        yield uow
