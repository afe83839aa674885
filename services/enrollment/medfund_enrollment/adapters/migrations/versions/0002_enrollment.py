"""Enrollment tables: persons, households, enrollments, coverage periods, audit, idempotency, batches.

Written out table by table (not from ``tables.py``), so later changes to the models never change what
this revision did: they get a revision of their own.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

NOW = sa.text("now()")


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW)


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("psn_no_seq")))
    op.create_table(
        "persons",
        sa.Column("psn_no", sa.Text, primary_key=True,
                  server_default=sa.text("'P' || lpad(nextval('psn_no_seq')::text, 12, '0')")),
        sa.Column("certno", sa.Text, nullable=False, unique=True),
        sa.Column("psn_name", sa.Text, nullable=False),
        sa.Column("gend", sa.Text, nullable=False),
        sa.Column("brdy", sa.Date, nullable=False),
        _created_at(),
    )
    op.create_table(
        "households",
        sa.Column("household_id", sa.Text, primary_key=True),
        sa.Column("admdvs", sa.Text, nullable=False),
        sa.Column("household_key", sa.Text, comment="the sender's household number in a bulk file"),
        _created_at(),
    )
    op.create_index("households_by_key", "households", ["admdvs", "household_key"], unique=True,
                    postgresql_where=sa.text("household_key IS NOT NULL"))
    _enrollments()
    _coverage_and_audit()
    _requests_and_batches()


def _enrollments() -> None:
    op.create_table(
        "enrollments",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("psn_no", sa.Text, sa.ForeignKey("persons.psn_no"), nullable=False),
        sa.Column("certno", sa.Text, nullable=False),
        sa.Column("household_id", sa.Text, sa.ForeignKey("households.household_id"), nullable=False),
        sa.Column("admdvs", sa.Text, nullable=False),
        sa.Column("insutype", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("tier", sa.Text),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("categories", JSONB, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("premium_due_fen", sa.BigInteger, nullable=False),
        sa.Column("on_behalf_due_fen", sa.BigInteger, nullable=False),
        sa.Column("pack_id", sa.Text, nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("event_date", sa.Date),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
        sa.Column("refusal", sa.Text, comment="why a payment bought no cover"),
        _created_at(),
    )
    op.create_index("enrollments_one_live_per_year", "enrollments", ["certno", "year"], unique=True,
                    postgresql_where=sa.text("status <> 'terminated'"))
    op.create_index("enrollments_by_person", "enrollments", ["psn_no", "year"])
    op.create_index("enrollments_by_region", "enrollments", ["admdvs", "year", "category"])
    op.create_index("enrollments_by_household", "enrollments", ["household_id", "year"])


def _coverage_and_audit() -> None:
    op.create_table(
        "coverage_periods",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("enrollment_id", sa.BigInteger, sa.ForeignKey("enrollments.id"), nullable=False),
        sa.Column("psn_no", sa.Text, nullable=False),
        sa.Column("insutype", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("starts", sa.Date, nullable=False),
        sa.Column("ends", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False, comment="active | suspended | terminated (cover cut short)"),
    )
    op.create_index("coverage_periods_by_person", "coverage_periods", ["psn_no", "starts"])
    op.create_table(
        "audit_trail",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("psn_no", sa.Text, nullable=False),
        sa.Column("enrollment_id", sa.BigInteger, sa.ForeignKey("enrollments.id")),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )
    op.create_index("audit_trail_by_person", "audit_trail", ["psn_no", "id"])


def _requests_and_batches() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("response", JSONB, nullable=False),
        _created_at(),
    )
    op.create_table(
        "enrollment_batches",
        sa.Column("batch_id", sa.Text, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("received", sa.Integer, nullable=False, server_default="0"),
        sa.Column("accepted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("actor", sa.Text, nullable=False),
        _created_at(),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "enrollment_batch_rejections",
        sa.Column("batch_id", sa.Text, sa.ForeignKey("enrollment_batches.batch_id"), primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("certno", sa.Text, nullable=False, comment="masked"),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("field", sa.Text),
    )
    op.create_table(
        "eligible_population",
        sa.Column("admdvs", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("eligible", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    )


def downgrade() -> None:
    for table in ("eligible_population", "enrollment_batch_rejections", "enrollment_batches", "idempotency_keys",
                  "audit_trail", "coverage_periods", "enrollments", "households", "persons"):
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(sa.Sequence("psn_no_seq")))
