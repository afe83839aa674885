"""The shared idempotency store (medfund_shared.idempotency) replaces adjudication's ``requests`` table.

Each answered request moves over with its digest and its answer text (kept as a JSON string, so a retry after
the upgrade still gets it byte for byte): a gateway message's key ``nhsa:{fixmedins_code}:{msgid}`` becomes
scope ``nhsa:{fixmedins_code}``, key ``msgid``; a native ``Idempotency-Key``'s ``v1:{role}:{institution}:{key}``
becomes scope ``v1:{role}:{institution}``, key ``key``. A request still unanswered holds no lasting claim (its
transaction never committed one) and is not moved.
"""

import sqlalchemy as sa
from alembic import op

from medfund_shared.idempotency import create_idempotency_table

revision = "0010"
down_revision = "0009"

MOVE_ANSWERED = sa.text("""
    INSERT INTO idempotency_keys (scope, key, digest, status, answer, created_at)
    SELECT split.scope, substr(r.key, length(split.scope) + 2), r.digest, 200, to_jsonb(r.answer), r.created_at
    FROM requests r
    CROSS JOIN LATERAL (SELECT CASE WHEN r.key LIKE 'v1:%'
                                    THEN array_to_string((string_to_array(r.key, ':'))[1:3], ':')
                                    ELSE array_to_string((string_to_array(r.key, ':'))[1:2], ':') END AS scope) split
    WHERE r.answer IS NOT NULL""")

MOVE_BACK = sa.text("""
    INSERT INTO requests (key, digest, answer, created_at)
    SELECT scope || ':' || key, digest, answer #>> '{}', created_at FROM idempotency_keys WHERE answer IS NOT NULL""")


def upgrade() -> None:
    create_idempotency_table()
    op.execute(MOVE_ANSWERED)
    op.drop_table("requests")


def downgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("key", sa.Text, primary_key=True, comment="scope:institution:message id"),
        sa.Column("digest", sa.Text, nullable=False, comment="sha256 of the request content"),
        sa.Column("answer", sa.Text, comment="the first answer, exactly as sent; NULL while being processed"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.execute(MOVE_BACK)
    op.drop_table("idempotency_keys")
