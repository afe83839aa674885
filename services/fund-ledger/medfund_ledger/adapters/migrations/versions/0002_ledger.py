"""Ledger tables: journal, projections, budgets, thresholds, alerts.

Revision ID: 0002
"""

from alembic import op

from medfund_ledger.adapters import tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = [tables.journal_entries, tables.journal_lines, tables.pools, tables.account_balances, tables.pool_months,
          tables.institutions, tables.institution_budgets, tables.institution_payments, tables.settlement_facts,
          tables.coverage, tables.populations, tables.ledger_clock, tables.pool_thresholds, tables.alerts,
          tables.alert_changes]


def upgrade() -> None:
    tables.metadata.create_all(op.get_bind(), tables=TABLES)


def downgrade() -> None:
    tables.metadata.drop_all(op.get_bind(), tables=TABLES)
