"""Adjudication tables: institutions, catalogue, coverage, accounts, account credits, admissions, fee details,
accumulators, settlements, requests (idempotency).

Written out table by table (not from ``tables.py``), exactly as this revision first created them, so a later
edit of the models never changes what this revision did: every schema change gets a revision of its own
(``0003_employment``, ``0004_category_changes``, …), and ``tests/integration/test_migrations.py`` checks that the
revisions add up to ``tables.py``.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

TABLES = ("requests", "settlements", "accumulators", "fee_details", "admissions", "account_credits", "accounts",
          "coverage", "catalogue", "institutions")
"""In the order they can be dropped (children before the tables they reference)."""


def _text(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, **kwargs)


def _fen(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=False, **kwargs)


def _at(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, **kwargs)


def _now(name: str) -> sa.Column:
    return _at(name, server_default=sa.func.now())


def _zero(name: str, type_=sa.BigInteger) -> sa.Column:
    return sa.Column(name, type_, nullable=False, server_default="0")


def upgrade() -> None:
    _registries()
    _coverage_and_accounts()
    _admissions()
    _settlements()


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)


def _registries() -> None:
    op.create_table(
        "institutions",
        sa.Column("fixmedins_code", sa.Text, primary_key=True),
        _text("name"), _text("admdvs"), _text("level"),
        _fen("annual_budget_fen"),
        _now("updated_at"),
    )
    op.create_table(
        "catalogue",
        sa.Column("med_list_codg", sa.Text, primary_key=True),
        _text("name"), _text("item_class"),
        sa.Column("pric_uplmt_amt", sa.Numeric(14, 4)),
        _now("updated_at"),
    )


def _coverage_and_accounts() -> None:
    op.create_table(
        "coverage",
        sa.Column("psn_no", sa.Text, primary_key=True),
        sa.Column("insutype", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        _text("admdvs"), _text("certno"), _text("psn_name"), _text("gend"),
        sa.Column("brdy", sa.Date, nullable=False),
        _text("category"),
        sa.Column("tier", sa.Text),
        sa.Column("coverage_from", sa.Date, nullable=False),
        sa.Column("coverage_to", sa.Date, nullable=False),
        _text("pack_id"),
        sa.Column("suspensions", JSONB, nullable=False, server_default="[]", comment="[{since, until|null}] in order"),
        sa.Column("terminated_on", sa.Date),
    )
    op.create_index("coverage_by_certno", "coverage", ["certno"])
    op.create_table(
        "accounts",
        sa.Column("psn_no", sa.Text, primary_key=True),
        _fen("balance_fen"),
        comment="employees' individual account balances, credited from billing events, debited by settlements",
    )
    op.create_table(
        "account_credits",
        sa.Column("credit_id", sa.Text, primary_key=True),
        _text("psn_no"),
        _fen("amount_fen"),
    )


def _admissions() -> None:
    op.create_table(
        "admissions",
        sa.Column("mdtrt_id", sa.Text, primary_key=True),
        _text("fixmedins_code"), _text("psn_no"), _text("insutype"), _text("med_type"),
        sa.Column("ipt_otp_no", sa.Text),
        _at("begntime"),
        sa.Column("endtime", sa.DateTime(timezone=True)),
        sa.Column("dscg_way", sa.Text),
        sa.Column("referred", sa.Boolean, nullable=False),
        sa.Column("disease_codes", JSONB, nullable=False, server_default="[]"),
        _now("created_at"),
        sa.ForeignKeyConstraint(["fixmedins_code"], ["institutions.fixmedins_code"]),
    )
    op.create_table(
        "fee_details",
        sa.Column("mdtrt_id", sa.Text, primary_key=True),
        sa.Column("feedetl_sn", sa.Text, primary_key=True),
        _text("med_list_codg"),
        sa.Column("medins_list_codg", sa.Text),
        sa.Column("fee_ocur_time", sa.DateTime(timezone=True)),
        sa.Column("cnt", sa.Numeric(16, 4), nullable=False),
        sa.Column("pric", sa.Numeric(16, 6), nullable=False),
        _fen("det_item_fee_sumamt_fen"),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("setl_id", sa.Text, comment="the settlement that consumed this detail"),
        sa.ForeignKeyConstraint(["mdtrt_id"], ["admissions.mdtrt_id"]),
    )


def _settlements() -> None:
    op.create_table(
        "accumulators",
        sa.Column("psn_no", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        _zero("inpatient_paid_fen"), _zero("inpatient_scope_cost_fen"), _zero("catastrophic_burden_fen"),
        _zero("catastrophic_paid_fen"), _zero("assistance_paid_fen"), _zero("outpatient_eligible_fen"),
        _zero("outpatient_deductible_fen"), _zero("outpatient_visits", sa.Integer), _zero("outpatient_paid_fen"),
    )
    op.create_table(
        "settlements",
        sa.Column("setl_id", sa.Text, primary_key=True),
        _text("kind", comment="settlement | reversal"),
        sa.Column("original_setl_id", sa.Text, unique=True, comment="for a reversal: the settlement it takes back"),
        _text("mdtrt_id"),
        sa.Column("medins_setl_id", sa.Text),
        _text("fixmedins_code"), _text("psn_no"), _text("admdvs"), _text("insutype"),
        sa.Column("year", sa.Integer, nullable=False),
        _at("setl_time"),
        sa.Column("setl_date", sa.Date, nullable=False, comment="setl_time's Beijing date, for reconciliation"),
        _fen("medfee_sumamt_fen"), _fen("fund_pay_sumamt_fen"), _fen("acct_pay_fen"),
        _text("pack_id"),
        sa.Column("pack_version", sa.Integer, nullable=False),
        sa.Column("result", JSONB, nullable=False,
                  comment="the engine's SettlementResult: amounts, items, trace, deltas"),
        _now("created_at"),
        sa.ForeignKeyConstraint(["mdtrt_id"], ["admissions.mdtrt_id"]),
        sa.UniqueConstraint("fixmedins_code", "medins_setl_id", name="settlements_medins_setl_id_once"),
    )
    op.create_index("settlements_by_day", "settlements", ["fixmedins_code", "setl_date"])
    op.create_table(
        "requests",
        sa.Column("key", sa.Text, primary_key=True, comment="scope:institution:message id"),
        _text("digest", comment="sha256 of the request content"),
        sa.Column("answer", sa.Text, comment="the first answer, exactly as sent; NULL while being processed"),
        _now("created_at"),
    )
