"""``idempotency_keys`` takes the shared store's shape (medfund_shared.idempotency): digest, status, answer.

The key is now claimed first, in the request's transaction, so its row exists unanswered (status and answer
NULL) until that transaction commits. Keys stored before this migration keep their answers (status 201: every
enrollment POST with a key answers 201); their digests were computed with the old separators, so a retry of
one of them sent after the upgrade is refused as a different request (409).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.alter_column("idempotency_keys", "fingerprint", new_column_name="digest")
    op.alter_column("idempotency_keys", "response", new_column_name="answer", nullable=True)
    op.add_column("idempotency_keys", sa.Column("status", sa.Integer))
    op.execute("UPDATE idempotency_keys SET status = 201")
    op.create_table_comment("idempotency_keys",
                            "design rule 9: the first answer to each idempotency key (medfund_shared.idempotency)")


def downgrade() -> None:
    op.execute("DELETE FROM idempotency_keys WHERE answer IS NULL")
    op.drop_column("idempotency_keys", "status")
    op.alter_column("idempotency_keys", "answer", new_column_name="response", nullable=False)
    op.alter_column("idempotency_keys", "digest", new_column_name="fingerprint")
    op.drop_table_comment("idempotency_keys")
