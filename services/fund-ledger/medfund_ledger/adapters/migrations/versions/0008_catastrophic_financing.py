"""The catastrophic premium of each covered person-year, kept so that a refund that withdraws the cover gives it
back and the premium paid in full again finances it again, each exactly once (docs/funding.md).

Person-years financed before this revision are taken from their booked transfers
(``transfer:catastrophic:{admdvs}:{year}:{psn_no}``) and the ledger's coverage rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "catastrophic_financing",
        sa.Column("psn_no", sa.Text, primary_key=True),
        sa.Column("insutype", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("transfer_id", sa.Text, nullable=False, comment="the first financing's transfer id"),
        sa.Column("from_pool_id", sa.Text, nullable=False),
        sa.Column("to_pool_id", sa.Text, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False, comment="fen"),
        sa.Column("financed", sa.Boolean, nullable=False, comment="the year's cover is financed now"),
        sa.Column("returns", sa.Integer, nullable=False, comment="times a refund's withdrawal gave the premium back"),
        comment="the catastrophic premium of each covered person-year (migration 0008): what the next activation, "
                "withdrawal or restoring of cover moves",
    )
    op.execute(
        "INSERT INTO catastrophic_financing "
        "(psn_no, insutype, year, transfer_id, from_pool_id, to_pool_id, amount, financed, returns) "
        "SELECT c.psn_no, c.insutype, c.year, substr(e.entry_key, length('transfer:') + 1), o.pool_id, i.pool_id, "
        "o.amount, true, 0 FROM coverage AS c "
        "JOIN journal_entries AS e ON e.entry_key = 'transfer:catastrophic:' || c.admdvs || ':' || c.year || ':' "
        "|| c.psn_no "
        "JOIN journal_lines AS o ON o.entry_id = e.id AND o.account = 'transfer:out' "
        "JOIN journal_lines AS i ON i.entry_id = e.id AND i.account = 'transfer:in' "
        "ON CONFLICT DO NOTHING")


def downgrade() -> None:
    op.drop_table("catastrophic_financing")
