"""The enrollment service's own tables (the platform tables come from ``medfund_shared.db``)."""

from __future__ import annotations

from sqlalchemy import Sequence, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.schema import Column, ForeignKey, Index, MetaData, Table
from sqlalchemy.types import BigInteger, Boolean, Date, DateTime, Integer, Text

from medfund_shared.batch_tables import BatchNaming, batch_tables

metadata = MetaData()

psn_no_sequence = Sequence("psn_no_seq", metadata=metadata)

persons = Table(
    "persons", metadata,
    Column("psn_no", Text, primary_key=True,
           server_default=text("'P' || lpad(nextval('psn_no_seq')::text, 12, '0')")),
    Column("certno", Text, nullable=False, unique=True),
    Column("psn_name", Text, nullable=False),
    Column("gend", Text, nullable=False),
    Column("brdy", Date, nullable=False),
    Column("ssc_no", Text, comment="social-security card number (社会保障卡号), optional"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

households = Table(
    "households", metadata,
    Column("household_id", Text, primary_key=True),
    Column("admdvs", Text, nullable=False),
    Column("household_key", Text, comment="the sender's household number in a bulk file"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("households_by_key", "admdvs", "household_key", unique=True,
          postgresql_where=text("household_key IS NOT NULL")),
)

enrollments = Table(
    "enrollments", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("psn_no", Text, ForeignKey("persons.psn_no"), nullable=False),
    Column("certno", Text, nullable=False),
    Column("household_id", Text, ForeignKey("households.household_id"), nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("insutype", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("tier", Text),
    Column("category", Text, nullable=False),
    Column("categories", JSONB, nullable=False),
    Column("kind", Text, nullable=False),
    Column("premium_due_fen", BigInteger, nullable=False),
    Column("on_behalf_due_fen", BigInteger, nullable=False),
    Column("pack_id", Text, nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("event_date", Date),
    Column("status", Text, nullable=False),
    Column("paid_at", DateTime(timezone=True)),
    Column("refusal", Text, comment="why a payment bought no cover"),
    Column("refusal_reason", Text, comment="the rule that refused it (coverage.refused.v1 reason)"),
    Column("employee_kind", Text, comment="310: in_service | retired | flexible (migration 0005)"),
    Column("employer_code", Text, comment="310: the employer of a member in service"),
    Column("contribution_years", Integer, comment="310: contribution years brought in"),
    Column("monthly_pension_fen", BigInteger, comment="310: a retiree's monthly pension, when given"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("enrollments_one_live_per_year", "certno", "year", unique=True,
          postgresql_where=text("status <> 'terminated'")),
    Index("enrollments_by_person", "psn_no", "year"),
    Index("enrollments_by_region", "admdvs", "year", "category"),
    Index("enrollments_by_household", "household_id", "year"),
)

coverage_periods = Table(
    "coverage_periods", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("enrollment_id", BigInteger, ForeignKey("enrollments.id"), nullable=False),
    Column("psn_no", Text, nullable=False),
    Column("insutype", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Column("status", Text, nullable=False, comment="active | suspended | terminated (cover cut short)"),
    Index("coverage_periods_by_person", "psn_no", "starts"),
)

employee_months = Table(
    "employee_months", metadata,
    Column("psn_no", Text, primary_key=True),
    Column("period", Date, primary_key=True, comment="first day of the month paid"),
    Column("admdvs", Text, nullable=False),
    comment="310: the months declared or paid for a person (billing's contribution_declared)",
)

region_clocks = Table(
    "region_clocks", metadata,
    Column("admdvs", Text, primary_key=True),
    Column("latest_period", Date, nullable=False, comment="the latest month declared or paid in the region"),
    comment="310: how far the region's data has come; months before it are overdue",
)

audit_trail = Table(
    "audit_trail", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("psn_no", Text, nullable=False),
    Column("enrollment_id", BigInteger, ForeignKey("enrollments.id")),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("reason", Text),
    Column("note", Text, nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("audit_trail_by_person", "psn_no", "id"),
)

bulk_files = batch_tables(
    metadata, BatchNaming(prefix="enrollment_", item="line", migration="0007", staged_until="finished"),
    batch_columns=[
        Column("actor", Text, nullable=False),
        Column("header", ARRAY(Text), comment="the file's column names (migration 0007)"),
        Column("received_all", Boolean, nullable=False, server_default="false",
               comment="the whole file is staged: a new owner may finish the batch (migration 0007)"),
    ],
    rejection_columns=[Column("certno", Text, nullable=False, comment="masked"), Column("field", Text)],
)
"""Bulk enrollment files (``medfund_shared.batch_tables``)."""
batches, batch_lines, batch_chunks, batch_rejections = (
    bulk_files.batches, bulk_files.staged, bulk_files.chunks, bulk_files.rejections)

eligible_population = Table(
    "eligible_population", metadata,
    Column("admdvs", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("eligible", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
