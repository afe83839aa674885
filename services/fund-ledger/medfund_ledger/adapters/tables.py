"""The ledger's tables: the immutable journal, its projections, budgets, thresholds and alerts."""

from __future__ import annotations

from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.schema import Column, ForeignKey, Index, MetaData, Table
from sqlalchemy.types import BigInteger, Boolean, Date, DateTime, Integer, Numeric, Text

from medfund_shared.cover_tables import cover_year_key

metadata = MetaData()

journal_entries = Table(
    "journal_entries", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("entry_key", Text, nullable=False, unique=True, comment="event id, or the command key"),
    Column("kind", Text, nullable=False),
    Column("origin", Text, nullable=False, comment="event (replayable from Kafka) or command (the ledger's own)"),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("memo", Text, nullable=False, server_default=""),
    Column("request", JSONB, comment="the command's content, as it was asked (its key's answer is in "
                                     "idempotency_keys)"),
)

journal_lines = Table(
    "journal_lines", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("entry_id", BigInteger, ForeignKey("journal_entries.id", name="journal_lines_entry_id_fkey"),
           nullable=False),
    Column("pool_id", Text, nullable=False),
    Column("account", Text, nullable=False),
    Column("amount", BigInteger, nullable=False, comment="signed fen: + debit, - credit"),
    Index("journal_lines_pool", "pool_id", "entry_id"),
    Index("journal_lines_account", "pool_id", "account"),
    Index("journal_lines_entry", "entry_id"),
)

pools = Table(
    "pools", metadata,
    Column("pool_id", Text, primary_key=True),
    Column("admdvs", Text, nullable=False),
    Column("fund_pay_type", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("budget_due", BigInteger),
    Column("planned_expenditure", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

account_balances = Table(
    "account_balances", metadata,
    Column("pool_id", Text, primary_key=True),
    Column("account", Text, primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

pool_months = Table(
    "pool_months", metadata,
    Column("pool_id", Text, primary_key=True),
    Column("month", Text, primary_key=True, comment="YYYY-MM of the effective date"),
    Column("income", BigInteger, nullable=False),
    Column("expenditure", BigInteger, nullable=False),
)

institutions = Table(
    "institutions", metadata,
    Column("fixmedins_code", Text, primary_key=True),
    Column("name", Text),
    Column("admdvs", Text),
    Column("level", Text),
)

registered_budgets = Table(
    "registered_budgets", metadata,
    Column("fixmedins_code", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("amount", BigInteger, nullable=False),
    comment="global budgets from the registry, each for its one year (an admin's institution_budgets row wins)",
)

institution_budgets = Table(
    "institution_budgets", metadata,
    Column("fixmedins_code", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

institution_payments = Table(
    "institution_payments", metadata,
    Column("fixmedins_code", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("fund_paid", BigInteger, nullable=False),
)

settlement_facts = Table(
    "settlement_facts", metadata,
    Column("event_id", Text, primary_key=True),
    Column("setl_id", Text, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("pooled_pool_id", Text, nullable=False),
    Column("setl_date", Date, nullable=False),
    Column("inpatient", Integer, nullable=False, comment="+1 settlement, -1 reversal, 0 not inpatient"),
    Column("medfee_sumamt", BigInteger, nullable=False),
    Column("inscp_scp_amt", BigInteger, nullable=False),
    Column("fund_pay_sumamt", BigInteger, nullable=False),
    Column("pooled_fund_paid", BigInteger, nullable=False),
    Index("settlement_facts_pool_date", "pooled_pool_id", "setl_date"),
    Index("settlement_facts_region", "admdvs", "year"),
)

pool_inpatient_days = Table(
    "pool_inpatient_days", metadata,
    Column("pool_id", Text, primary_key=True),
    Column("setl_date", Date, primary_key=True),
    Column("settlements", Integer, nullable=False, comment="inpatient settlements less their reversals"),
    Column("pooled_fund_paid", BigInteger, nullable=False, comment="fen"),
    comment="settlement_facts' inpatient rows summed per pool and day, kept with them: the cost rule reads a window "
            "of days instead of every settlement in it",
)

coverage = Table(
    "coverage", metadata,
    *cover_year_key(),
    Column("admdvs", Text, nullable=False),
    Column("active", Integer, nullable=False),
    Index("coverage_region", "admdvs", "year"),
)

catastrophic_financing = Table(
    "catastrophic_financing", metadata,
    *cover_year_key(),
    Column("transfer_id", Text, nullable=False, comment="the first financing's transfer id"),
    Column("from_pool_id", Text, nullable=False),
    Column("to_pool_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False, comment="fen"),
    Column("financed", Boolean, nullable=False, comment="the year's cover is financed now"),
    Column("returns", Integer, nullable=False, comment="times a refund's withdrawal gave the premium back"),
    comment="the catastrophic premium of each covered person-year (migration 0008): what the next activation, "
            "withdrawal or restoring of cover moves",
)

populations = Table(
    "populations", metadata,
    Column("admdvs", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("eligible", BigInteger, nullable=False),
)

region_clocks = Table(
    "region_clocks", metadata,
    Column("admdvs", Text, primary_key=True),
    Column("business_time", DateTime(timezone=True), nullable=False,
           comment="latest business time applied to the region's pools: the 'now' of its elapsed-time measures"),
)

pool_thresholds = Table(
    "pool_thresholds", metadata,
    Column("pool_id", Text, primary_key=True),
    Column("rule", Text, primary_key=True),
    Column("yellow", Numeric, nullable=False),
    Column("red", Numeric, nullable=False),
)

alerts = Table(
    "alerts", metadata,
    Column("alert_id", Text, primary_key=True),
    Column("rule", Text, nullable=False),
    Column("subject_type", Text, nullable=False),
    Column("subject_id", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("measure", Text, comment="the latest evaluated measure; null when it became undefined (resolved)"),
    Column("threshold", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Column("evidence", JSONB, nullable=False),
    Column("acked_by", Text),
    Column("acked_at", DateTime(timezone=True)),
    Column("ack_note", Text),
    Index("alerts_open_per_subject", "rule", "subject_id", unique=True, postgresql_where=text("state <> 'resolved'")),
)

alert_locks = Table(
    "alert_locks", metadata,
    Column("rule", Text, primary_key=True),
    Column("subject_id", Text, primary_key=True),
    comment="one row per (rule, subject) ever evaluated: locked FOR UPDATE while its alert is evaluated and written",
)

pending_evaluations = Table(
    "pending_evaluations", metadata,
    Column("event_id", Text, primary_key=True),
    Column("fixmedins_code", Text, comment="set when the event changed an institution's registered budget"),
    Column("queued_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="events applied in a batch whose alerts are still to be evaluated (written in the batch transaction)",
)

alert_changes = Table(
    "alert_changes", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("alert_id", Text, nullable=False),
    Column("payload", JSONB, nullable=False, comment="the published alert data"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
