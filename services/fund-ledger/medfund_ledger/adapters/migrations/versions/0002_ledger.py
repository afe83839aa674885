"""Ledger tables: journal, projections, budgets, thresholds, alerts.

Written out table by table (not from ``tables.py``), exactly as this revision first created them, so a later
edit of the models never changes what this revision did: every schema change gets a revision of its own
(``0003_evaluation_queue``, …), and ``tests/integration/test_migrations.py`` checks that the revisions add up
to ``tables.py``.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

TABLES = ("alert_changes", "alerts", "pool_thresholds", "ledger_clock", "populations", "coverage", "settlement_facts",
          "institution_payments", "institution_budgets", "institutions", "pool_months", "account_balances", "pools",
          "journal_lines", "journal_entries")
"""In the order they can be dropped (children before the tables they reference)."""


def _text(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, **kwargs)


def _fen(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=False, **kwargs)


def _int(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False, **kwargs)


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    _journal()
    _pools()
    _institutions()
    _facts()
    _alerts()


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)


def _journal() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _text("entry_key", unique=True, comment="event id, or the command key"),
        _text("kind"),
        _text("origin", comment="event (replayable from Kafka) or command (the ledger's own)"),
        sa.Column("effective_date", sa.Date, nullable=False),
        _now("recorded_at"),
        _text("memo", server_default=""),
        sa.Column("request", JSONB, comment="the command's content, to refuse a reused key with other content"),
    )
    op.create_table(
        "journal_lines",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _fen("entry_id"),
        _text("pool_id"), _text("account"),
        _fen("amount", comment="signed fen: + debit, - credit"),
        sa.ForeignKeyConstraint(["entry_id"], ["journal_entries.id"]),
    )
    op.create_index("journal_lines_pool", "journal_lines", ["pool_id", "entry_id"])
    op.create_index("journal_lines_account", "journal_lines", ["pool_id", "account"])


def _pools() -> None:
    op.create_table(
        "pools",
        sa.Column("pool_id", sa.Text, primary_key=True),
        _text("admdvs"), _text("fund_pay_type"),
        _int("year"),
        sa.Column("budget_due", sa.BigInteger),
        sa.Column("planned_expenditure", sa.BigInteger),
        _now("created_at"),
    )
    op.create_table(
        "account_balances",
        sa.Column("pool_id", sa.Text, primary_key=True),
        sa.Column("account", sa.Text, primary_key=True),
        _fen("amount"),
    )
    op.create_table(
        "pool_months",
        sa.Column("pool_id", sa.Text, primary_key=True),
        sa.Column("month", sa.Text, primary_key=True, comment="YYYY-MM of the effective date"),
        _fen("income"), _fen("expenditure"),
    )


def _institutions() -> None:
    op.create_table(
        "institutions",
        sa.Column("fixmedins_code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text), sa.Column("admdvs", sa.Text), sa.Column("level", sa.Text),
        sa.Column("registered_budget", sa.BigInteger),
    )
    op.create_table(
        "institution_budgets",
        sa.Column("fixmedins_code", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        _fen("amount"),
    )
    op.create_table(
        "institution_payments",
        sa.Column("fixmedins_code", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        _fen("fund_paid"),
    )


def _facts() -> None:
    op.create_table(
        "settlement_facts",
        sa.Column("event_id", sa.Text, primary_key=True),
        _text("setl_id"), _text("admdvs"),
        _int("year"),
        _text("pooled_pool_id"),
        sa.Column("setl_date", sa.Date, nullable=False),
        _int("inpatient", comment="+1 settlement, -1 reversal, 0 not inpatient"),
        _fen("medfee_sumamt"), _fen("inscp_scp_amt"), _fen("fund_pay_sumamt"), _fen("pooled_fund_paid"),
    )
    op.create_index("settlement_facts_pool_date", "settlement_facts", ["pooled_pool_id", "setl_date"])
    op.create_index("settlement_facts_region", "settlement_facts", ["admdvs", "year"])
    op.create_table(
        "coverage",
        sa.Column("psn_no", sa.Text, primary_key=True),
        sa.Column("insutype", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        _text("admdvs"),
        _int("active"),
    )
    op.create_index("coverage_region", "coverage", ["admdvs", "year"])
    op.create_table(
        "populations",
        sa.Column("admdvs", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        _fen("eligible"),
    )
    op.create_table(
        "ledger_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("business_time", sa.DateTime(timezone=True), nullable=False,
                  comment="latest business time applied: the 'now' of elapsed-time measures"),
    )


def _alerts() -> None:
    op.create_table(
        "pool_thresholds",
        sa.Column("pool_id", sa.Text, primary_key=True),
        sa.Column("rule", sa.Text, primary_key=True),
        sa.Column("yellow", sa.Numeric, nullable=False),
        sa.Column("red", sa.Numeric, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.Text, primary_key=True),
        _text("rule"), _text("subject_type"), _text("subject_id"), _text("severity"), _text("state"),
        _text("measure"), _text("threshold"), _text("message"),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", JSONB, nullable=False),
        sa.Column("acked_by", sa.Text),
        sa.Column("acked_at", sa.DateTime(timezone=True)),
        sa.Column("ack_note", sa.Text),
    )
    op.create_index("alerts_open_per_subject", "alerts", ["rule", "subject_id"], unique=True,
                    postgresql_where=sa.text("state <> 'resolved'"))
    op.create_table(
        "alert_changes",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _text("alert_id"),
        sa.Column("payload", JSONB, nullable=False, comment="the published alert data"),
        _now("created_at"),
    )
