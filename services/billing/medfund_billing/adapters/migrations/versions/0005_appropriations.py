"""Appropriations to medical assistance and the risk reserve (``POST /v1/appropriations``), and the payer
of each on-behalf payment (medical assistance pays the premium of the people it sponsors, 资助参保).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("on_behalf_payments", sa.Column(
        "payer", sa.Text, nullable=False, server_default="government",
        comment="government, or medical_assistance (资助参保): the pack's payer of the category (migration 0005)"))
    op.create_table(
        "appropriations",
        sa.Column("appropriation_id", sa.Text, primary_key=True),
        sa.Column("admdvs", sa.Text, nullable=False),
        sa.Column("fund_pay_type", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("amount_fen", sa.BigInteger, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("voucher_no", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False, comment="the content's identity: a replay must match it"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        comment="money appropriated to medical assistance or the risk reserve (migration 0005)",
    )


def downgrade() -> None:
    op.drop_table("appropriations")
    op.drop_column("on_behalf_payments", "payer")
