"""Indexes for GET /v1/settlements (issue 25): newest first over all settlements, and one person's."""

from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.create_index("settlements_newest", "settlements", ["setl_time", "setl_id"])
    op.create_index("settlements_by_person", "settlements", ["psn_no", "setl_time"])


def downgrade() -> None:
    op.drop_index("settlements_by_person", table_name="settlements")
    op.drop_index("settlements_newest", table_name="settlements")
