"""Each settlement keeps its canonical engine inputs and its receipt (issue 25), so it can be computed again."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.add_column("settlements", sa.Column("inputs", JSONB, comment="a settlement's canonical engine inputs (visit, "
                                                                    "catalogue entries, totals before); null for a "
                                                                    "reversal"))
    op.add_column("settlements", sa.Column("receipt", sa.Text, comment="sha256 over the inputs, the pack's content "
                                                                       "hash and the engine version"))


def downgrade() -> None:
    op.drop_column("settlements", "receipt")
    op.drop_column("settlements", "inputs")
