"""Coverage: the person's category changes in the year (``person.category_changed``), by date."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("coverage", sa.Column(
        "category_changes", JSONB, nullable=False, server_default="[]",
        comment="[{since, category, tier|null}] in date order, from person.category_changed"))


def downgrade() -> None:
    op.drop_column("coverage", "category_changes")
