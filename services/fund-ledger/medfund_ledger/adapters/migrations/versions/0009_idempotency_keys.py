"""The shared idempotency store (medfund_shared.idempotency) answers clearings and operator transfers.

Until now a command's key was its journal entry and a retry was compared with the request stored on it. The
store takes over: each command entry booked before this migration gets its key (scope ``clearing`` or
``transfer``), the digest of its stored request and its answer (the amounts it moved per pool), so a retry
after the upgrade replays it and other content under its key is still refused.
"""

import sqlalchemy as sa
from alembic import op

from medfund_shared.idempotency import create_idempotency_table, idempotency_keys, request_digest
from medfund_shared.money import Money

REQUEST_COMMENT = "the command's content, as it was asked (its key's answer is in idempotency_keys)"
revision = "0009"
down_revision = "0008"

COMMAND_ENTRIES = sa.text(
    "SELECT e.entry_key, e.request, l.pool_id, sum(l.amount) AS moved FROM journal_entries e "
    "LEFT JOIN journal_lines l ON l.entry_id = e.id AND l.amount > 0 "
    "WHERE e.origin = 'command' AND e.request IS NOT NULL GROUP BY e.entry_key, e.request, l.pool_id")
SCOPES = ("clearing", "transfer")
"""The entry key's prefix is the command's scope; the rest is its key (``clearing:{code}:{period}``)."""


def upgrade() -> None:
    create_idempotency_table()
    answers: dict[str, tuple[dict, dict[str, str]]] = {}
    for row in op.get_bind().execute(COMMAND_ENTRIES):
        request, moved = answers.setdefault(row.entry_key, (row.request, {}))
        if row.pool_id is not None:
            moved[row.pool_id] = Money(int(row.moved)).to_yuan()
    rows = []
    for entry_key, (request, moved) in answers.items():
        scope, _, key = entry_key.partition(":")
        if scope in SCOPES:
            rows.append({"scope": scope, "key": key, "digest": request_digest(request), "status": 200,
                         "answer": dict(sorted(moved.items()))})
    if rows:
        op.bulk_insert(idempotency_keys, rows)
    op.alter_column("journal_entries", "request", comment=REQUEST_COMMENT)


def downgrade() -> None:
    op.drop_table("idempotency_keys")
