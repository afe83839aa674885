"""Billing tables: premium accounts (read model), payments, corrections, government money,
batches, employee declarations.

Written out table by table (not from ``tables.py``), so a later edit of the models never changes
what this revision did: every schema change gets a revision of its own (``0003_…``), and
``tests/integration/test_migrations.py`` checks that the revisions add up to ``tables.py``.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

TABLES = ("employee_declarations", "batch_rejections", "batches", "subsidies", "on_behalf_payments", "corrections",
          "payments", "premium_accounts")
"""In the order they can be dropped (children before the tables they reference)."""


def _fen(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=False, **kwargs)


def _text(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, **kwargs)


def _at(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, **kwargs)


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


def upgrade() -> None:
    _premium_accounts()
    _payments_and_corrections()
    _government_money()
    _batches()
    _employee_declarations()


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)


def _premium_accounts() -> None:
    op.create_table(
        "premium_accounts",
        _text("psn_no"),
        sa.Column("year", sa.Integer, nullable=False),
        _text("certno"), _text("admdvs"), _text("insutype"), _text("category"),
        sa.Column("tier", sa.Text, comment="null in a pack without tiers"),
        _text("pack_id"),
        _fen("premium_due_fen"), _fen("on_behalf_due_fen"),
        _fen("on_behalf_paid_fen", server_default="0"), _fen("paid_fen", server_default="0"),
        sa.Column("paid_in_full", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("terminated_on", sa.Date),
        _at("registered_at"),
        sa.PrimaryKeyConstraint("psn_no", "year"),
        comment="read model of medfund.enrollment.v1: who owes what for which year",
    )
    op.create_index("premium_accounts_by_certno", "premium_accounts", ["certno", "year", "insutype"])
    op.create_index("premium_accounts_by_region", "premium_accounts", ["admdvs", "year"])


def _payments_and_corrections() -> None:
    op.create_table(
        "payments",
        sa.Column("payment_id", sa.Text, primary_key=True),
        _text("tax_voucher_no", unique=True),
        _text("fingerprint"), _text("certno"), _text("psn_name"), _text("insutype"), _text("admdvs"),
        sa.Column("year", sa.Integer, nullable=False),
        _fen("amount_fen"),
        _at("paid_at"),
        sa.Column("paid_on", sa.Date, nullable=False, comment="day of paid_at in the tax office's local time"),
        _text("tax_office_code"), _text("channel"),
        sa.Column("psn_no", sa.Text), sa.Column("match", sa.Text), sa.Column("batch_id", sa.Text),
        _at("created_at", server_default=sa.func.now()),
    )
    op.create_index("payments_suspense", "payments", ["certno", "year", "insutype"],
                    postgresql_where=sa.text("psn_no IS NULL"))
    op.create_index("payments_by_office_day", "payments", ["tax_office_code", "paid_on"])
    op.create_index("payments_by_region", "payments", ["admdvs", "year"])
    op.create_table(
        "corrections",
        sa.Column("correction_id", sa.Text, primary_key=True),
        _text("payment_id", unique=True, comment="one refund or reversal per payment, never both, never twice"),
        _text("kind"), _text("reason"),
        _fen("amount_fen"),
        _at("at"),
        _text("fingerprint"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.payment_id"]),
    )


def _government_money() -> None:
    op.create_table(
        "on_behalf_payments",
        sa.Column("payment_id", sa.Text, primary_key=True),
        _text("psn_no"),
        sa.Column("year", sa.Integer, nullable=False),
        _text("category"),
        _fen("amount_fen"),
        _at("paid_at"),
    )
    op.create_table(
        "subsidies",
        sa.Column("subsidy_id", sa.Text, primary_key=True),
        _text("psn_no"),
        sa.Column("year", sa.Integer, nullable=False),
        _text("admdvs"),
        _fen("amount_fen"),
        sa.Column("shares", JSONB, nullable=False),
        _at("allocated_at"),
        sa.UniqueConstraint("psn_no", "year", name="subsidies_once_per_person_year"),
    )


def _batches() -> None:
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.Text, primary_key=True),
        _text("tax_office_code"),
        sa.Column("idempotency_key", sa.Text),
        _text("file_sha256"), _text("format"), _text("spool_path"), _text("status"),
        _count("lines_done"), _count("received"), _count("accepted"), _count("duplicates"), _count("rejected"),
        _at("created_at", server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("tax_office_code", "idempotency_key", name="batches_idempotency_key"),
    )
    op.create_table(
        "batch_rejections",
        _text("batch_id"),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("tax_voucher_no", sa.Text),
        _text("code"), _text("message"),
        sa.PrimaryKeyConstraint("batch_id", "line"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.batch_id"]),
    )


def _employee_declarations() -> None:
    op.create_table(
        "employee_declarations",
        sa.Column("declaration_id", sa.Text, primary_key=True),
        _text("employer_code"), _text("period"), _text("certno"), _text("psn_no"), _text("admdvs"),
        _text("fingerprint"),
        sa.Column("retired", sa.Boolean, nullable=False),
        _fen("base_fen"), _fen("employer_fen"), _fen("employee_fen"), _fen("pool_fen"), _fen("account_fen"),
        sa.UniqueConstraint("employer_code", "period", "certno", name="employee_declarations_once_per_month"),
    )
