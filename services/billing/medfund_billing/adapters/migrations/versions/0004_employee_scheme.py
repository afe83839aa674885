"""The employee scheme (310): registered members, flexible workers' months, late fees, business dates."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "employee_members",
        sa.Column("psn_no", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("certno", sa.Text, nullable=False),
        sa.Column("admdvs", sa.Text, nullable=False),
        sa.Column("gend", sa.Text, nullable=False),
        sa.Column("brdy", sa.Date, nullable=False),
        sa.Column("kind", sa.Text, nullable=False, comment="in_service | retired | flexible"),
        sa.Column("employer_code", sa.Text),
        sa.Column("monthly_pension_fen", sa.BigInteger),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terminated_on", sa.Date),
        sa.PrimaryKeyConstraint("psn_no", "year"),
        comment="read model of medfund.enrollment.v1 for 310 (migration 0004): who may be declared or pay a month")
    op.create_index("employee_members_by_certno", "employee_members", ["certno", "year"])
    op.create_index("employee_members_by_employer", "employee_members", ["employer_code", "year"])
    op.alter_column("employee_declarations", "employer_code", nullable=True,
                    comment="null for a flexible worker's own payment")
    op.add_column("employee_declarations", sa.Column("payer", sa.Text, nullable=False, server_default="employer",
                                                     comment="employer | flexible_worker"))
    op.add_column("employee_declarations", sa.Column("tax_voucher_no", sa.Text, comment="a flexible worker's payment"))
    op.add_column("employee_declarations", sa.Column("late_fee_fen", sa.BigInteger, nullable=False,
                                                     server_default="0"))
    op.add_column("employee_declarations", sa.Column("paid_on", sa.Date,
                                                     comment="business date the month was declared or paid"))
    op.create_index("employee_declarations_flexible_once_per_month", "employee_declarations", ["certno", "period"],
                    unique=True, postgresql_where=sa.text("payer = 'flexible_worker'"))
    op.create_index("employee_declarations_by_region", "employee_declarations", ["admdvs", "period"])


def downgrade() -> None:
    op.drop_index("employee_declarations_by_region", "employee_declarations")
    op.drop_index("employee_declarations_flexible_once_per_month", "employee_declarations")
    for column in ("paid_on", "late_fee_fen", "tax_voucher_no", "payer"):
        op.drop_column("employee_declarations", column)
    op.alter_column("employee_declarations", "employer_code", nullable=False)
    op.drop_table("employee_members")
