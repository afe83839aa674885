"""Reconciliation's index on settlements leads with the date, so a settlement's "was this id used" check can only
take the unique index.

With ``(fixmedins_code, setl_date)``, PostgreSQL rated that index as good as the unique
``(fixmedins_code, medins_setl_id)`` for the check while the table had no statistics yet (a new database),
and a connection kept that plan: each settlement then read every earlier settlement of its hospital (900 rows
after 1,200 settlements, measured). ``(setl_date, fixmedins_code)`` still answers a period's reconciliation from
the index alone, and cannot serve a lookup without a date.
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.drop_index("settlements_by_day", "settlements")
    op.create_index("settlements_by_day", "settlements", ["setl_date", "fixmedins_code"])


def downgrade() -> None:
    op.drop_index("settlements_by_day", "settlements")
    op.create_index("settlements_by_day", "settlements", ["fixmedins_code", "setl_date"])
