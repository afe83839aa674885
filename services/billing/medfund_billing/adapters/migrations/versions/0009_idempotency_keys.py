"""The shared idempotency store (medfund_shared.idempotency): a tax voucher's first answer, replayed to retries.

Vouchers accepted before this migration have no stored answer: a retry of one of them is answered with the
payment as stored, as before.
"""

from alembic import op

from medfund_shared.idempotency import create_idempotency_table

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    op.drop_table("idempotency_keys")
