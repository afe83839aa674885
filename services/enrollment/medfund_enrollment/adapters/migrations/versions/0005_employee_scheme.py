"""The employee scheme (310): who the member is, the months paid, and each region's latest period."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("enrollments", sa.Column("employee_kind", sa.Text,
                                           comment="310: in_service | retired | flexible (migration 0005)"))
    op.add_column("enrollments", sa.Column("employer_code", sa.Text, comment="310: the employer of a member in service"))
    op.add_column("enrollments", sa.Column("contribution_years", sa.Integer,
                                           comment="310: contribution years brought in"))
    op.add_column("enrollments", sa.Column("monthly_pension_fen", sa.BigInteger,
                                           comment="310: a retiree's monthly pension, when given"))
    op.create_table(
        "employee_months",
        sa.Column("psn_no", sa.Text, primary_key=True),
        sa.Column("period", sa.Date, primary_key=True, comment="first day of the month paid"),
        sa.Column("admdvs", sa.Text, nullable=False),
        comment="310: the months declared or paid for a person (billing's contribution_declared)")
    op.create_table(
        "region_clocks",
        sa.Column("admdvs", sa.Text, primary_key=True),
        sa.Column("latest_period", sa.Date, nullable=False,
                  comment="the latest month declared or paid in the region"),
        comment="310: how far the region's data has come; months before it are overdue")


def downgrade() -> None:
    op.drop_table("region_clocks")
    op.drop_table("employee_months")
    for column in ("monthly_pension_fen", "contribution_years", "employer_code", "employee_kind"):
        op.drop_column("enrollments", column)
