"""The billing service's tables (amounts in fen, BIGINT): what migrations 0002 onwards build, in sum.

An edit here needs a new revision; ``tests/integration/test_migrations.py`` fails until it exists."""

from __future__ import annotations

from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.schema import Column, ForeignKey, Index, MetaData, PrimaryKeyConstraint, Table, UniqueConstraint
from sqlalchemy.types import BigInteger, Boolean, Date, DateTime, Integer, Text

from medfund_shared.batch_tables import BatchNaming, batch_tables

metadata = MetaData()

premium_accounts = Table(
    "premium_accounts", metadata,
    Column("psn_no", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("certno", Text, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("insutype", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("tier", Text, comment="null in a pack without tiers"),
    Column("pack_id", Text, nullable=False),
    Column("premium_due_fen", BigInteger, nullable=False),
    Column("on_behalf_due_fen", BigInteger, nullable=False),
    Column("on_behalf_paid_fen", BigInteger, nullable=False, server_default="0"),
    Column("paid_fen", BigInteger, nullable=False, server_default="0"),
    Column("paid_in_full", Boolean, nullable=False, server_default="false"),
    Column("terminated_on", Date),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("coverage_refused_reason", Text, comment="enrollment refused cover for the paid premium (migration 0003)"),
    Column("coverage_refusal_message", Text),
    Column("coverage_refused_at", DateTime(timezone=True), comment="paid_at of the refused premium"),
    PrimaryKeyConstraint("psn_no", "year"),
    Index("premium_accounts_by_certno", "certno", "year", "insutype"),
    Index("premium_accounts_by_region", "admdvs", "year"),
    Index("premium_accounts_refused", "psn_no", "year", postgresql_where=text("coverage_refused_reason IS NOT NULL")),
    comment="read model of medfund.enrollment.v1: who owes what for which year",
)

payments = Table(
    "payments", metadata,
    Column("payment_id", Text, primary_key=True),
    Column("tax_voucher_no", Text, nullable=False, unique=True),
    Column("fingerprint", Text, nullable=False),
    Column("certno", Text, nullable=False),
    Column("psn_name", Text, nullable=False),
    Column("insutype", Text, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("paid_at", DateTime(timezone=True), nullable=False),
    Column("paid_on", Date, nullable=False, comment="day of paid_at in the tax office's local time"),
    Column("tax_office_code", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("psn_no", Text),
    Column("match", Text),
    Column("batch_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("payments_suspense", "certno", "year", "insutype", postgresql_where=text("psn_no IS NULL")),
    Index("payments_by_office_day", "tax_office_code", "paid_on"),
    Index("payments_by_region", "admdvs", "year"),
)

corrections = Table(
    "corrections", metadata,
    Column("correction_id", Text, primary_key=True),
    Column("payment_id", Text, ForeignKey("payments.payment_id"), nullable=False, unique=True,
           comment="one refund or reversal per payment, never both, never twice"),
    Column("kind", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("fingerprint", Text, nullable=False),
)

on_behalf_payments = Table(
    "on_behalf_payments", metadata,
    Column("payment_id", Text, primary_key=True),
    Column("psn_no", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("category", Text, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("paid_at", DateTime(timezone=True), nullable=False),
    Column("payer", Text, nullable=False, server_default="government",
           comment="government, or medical_assistance (资助参保): the pack's payer of the category (migration 0005)"),
    Column("withdrawn_at", DateTime(timezone=True), comment="the refund or reversal that withdrew it (migration 0006)"),
    Column("withdrawal_id", Text),
    Index("on_behalf_payments_by_person_year", "psn_no", "year"),
)

appropriations = Table(
    "appropriations", metadata,
    Column("appropriation_id", Text, primary_key=True),
    Column("admdvs", Text, nullable=False),
    Column("fund_pay_type", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=False),
    Column("voucher_no", Text, nullable=False),
    Column("fingerprint", Text, nullable=False, comment="the content's identity: a replay must match it"),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="money appropriated to medical assistance or the risk reserve (migration 0005)",
)

subsidies = Table(
    "subsidies", metadata,
    Column("subsidy_id", Text, primary_key=True),
    Column("psn_no", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("shares", JSONB, nullable=False),
    Column("allocated_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), comment="the refund or reversal that withdrew it (migration 0006)"),
    Column("withdrawal_id", Text),
    Index("subsidies_once_per_person_year", "psn_no", "year", unique=True,
          postgresql_where=text("withdrawn_at IS NULL")),
)

tax_files = batch_tables(
    metadata, BatchNaming(prefix="", item="record", migration="0008", staged_until="done", item_ends_on_line=True),
    batch_columns=[
        Column("tax_office_code", Text, nullable=False),
        Column("idempotency_key", Text),
        Column("file_sha256", Text, nullable=False),
        Column("format", Text, nullable=False),
        Column("csv_header", ARRAY(Text), comment="a CSV file's field names, in their order (migration 0008)"),
        UniqueConstraint("tax_office_code", "idempotency_key", name="batches_idempotency_key"),
    ],
    rejection_columns=[Column("tax_voucher_no", Text)],
    extra_counters=["rejected"],
)
"""Tax-office files (``medfund_shared.batch_tables``)."""
batches, batch_records, batch_chunks, batch_rejections = (
    tax_files.batches, tax_files.staged, tax_files.chunks, tax_files.rejections)

employee_members = Table(
    "employee_members", metadata,
    Column("psn_no", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("certno", Text, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("gend", Text, nullable=False),
    Column("brdy", Date, nullable=False),
    Column("kind", Text, nullable=False, comment="in_service | retired | flexible"),
    Column("employer_code", Text),
    Column("monthly_pension_fen", BigInteger),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("terminated_on", Date),
    PrimaryKeyConstraint("psn_no", "year"),
    Index("employee_members_by_certno", "certno", "year"),
    Index("employee_members_by_employer", "employer_code", "year"),
    comment="read model of medfund.enrollment.v1 for 310 (migration 0004): who may be declared or pay a month",
)

employee_declarations = Table(
    "employee_declarations", metadata,
    Column("declaration_id", Text, primary_key=True),
    Column("employer_code", Text, comment="null for a flexible worker's own payment"),
    Column("period", Text, nullable=False),
    Column("certno", Text, nullable=False),
    Column("psn_no", Text, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("retired", Boolean, nullable=False),
    Column("base_fen", BigInteger, nullable=False),
    Column("employer_fen", BigInteger, nullable=False),
    Column("employee_fen", BigInteger, nullable=False),
    Column("pool_fen", BigInteger, nullable=False),
    Column("account_fen", BigInteger, nullable=False),
    Column("payer", Text, nullable=False, server_default="employer", comment="employer | flexible_worker"),
    Column("tax_voucher_no", Text, comment="a flexible worker's payment"),
    Column("late_fee_fen", BigInteger, nullable=False, server_default="0"),
    Column("paid_on", Date, comment="business date the month was declared or paid"),
    Column("withdrawn_at", DateTime(timezone=True), comment="the refund or reversal that withdrew it (migration 0007)"),
    Column("withdrawal_id", Text),
    UniqueConstraint("employer_code", "period", "certno", name="employee_declarations_once_per_month"),
    Index("employee_declarations_flexible_once_per_month", "certno", "period", unique=True,
          postgresql_where=text("payer = 'flexible_worker' AND withdrawn_at IS NULL")),
    Index("employee_declarations_by_region", "admdvs", "period"),
)
