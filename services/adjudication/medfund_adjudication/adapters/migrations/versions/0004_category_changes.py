"""Coverage: the person's category changes in the year (``person.category_changed``), by date.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("coverage", sa.Column(
        "category_changes", JSONB, nullable=False, server_default="[]",
        comment="[{since, category, tier|null}] in date order, from person.category_changed"))


def downgrade() -> None:
    op.drop_column("coverage", "category_changes")
