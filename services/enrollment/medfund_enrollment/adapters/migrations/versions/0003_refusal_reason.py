"""The rule that refused a payment's cover, next to its message."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("enrollments", sa.Column("refusal_reason", sa.Text,
                                           comment="the rule that refused it (coverage.refused.v1 reason)"))


def downgrade() -> None:
    op.drop_column("enrollments", "refusal_reason")
