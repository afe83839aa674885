"""Alert evaluation in the batch's transaction: the queue of applied events, and the per-(rule, subject) locks.

Written out (not from ``tables.py``) so that a later edit of the models never changes what this revision did.
``pending_evaluations.fixmedins_code`` is here because every database built since it joined the models got it
from this revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "alert_locks",
        sa.Column("rule", sa.Text, primary_key=True),
        sa.Column("subject_id", sa.Text, primary_key=True),
        comment="one row per (rule, subject) ever evaluated: locked FOR UPDATE while its alert is evaluated and "
                "written",
    )
    op.create_table(
        "pending_evaluations",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("fixmedins_code", sa.Text, comment="set when the event changed an institution's registered budget"),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        comment="events applied in a batch whose alerts are still to be evaluated (written in the batch "
                "transaction)",
    )


def downgrade() -> None:
    op.drop_table("pending_evaluations")
    op.drop_table("alert_locks")
