"""Index journal lines by their entry: the alert evaluator finds the pools a batch touched by entry key, and
without it every evaluation scanned the whole of ``journal_lines`` (about 200 ms at a million entries).
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_index("journal_lines_entry", "journal_lines", ["entry_id"])


def downgrade() -> None:
    op.drop_index("journal_lines_entry", table_name="journal_lines")
