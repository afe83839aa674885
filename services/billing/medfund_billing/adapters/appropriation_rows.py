"""Appropriations in the database: stored once per ``appropriation_id``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import appropriations as t


class Appropriations:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **values: object) -> bool:
        """Store it unless its id is stored already; whether it was."""
        return await self.session.scalar(
            insert(t).values(**values).on_conflict_do_nothing().returning(t.c.appropriation_id)) is not None

    async def get(self, appropriation_id: str) -> Row:
        return (await self.session.execute(select(t).where(t.c.appropriation_id == appropriation_id))).one()
