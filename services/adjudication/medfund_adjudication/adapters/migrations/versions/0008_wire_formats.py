"""What HIS clients send that the gateway now keeps: refund lines, the admission's credential type, the
person's social security card number (``person_cards``); and settlements by admission (the deductible a stay's
earlier mid-stay settlements applied).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.add_column("fee_details", sa.Column(
        "init_feedetl_sn", sa.Text, comment="a refund line (negative cnt and amount): the detail it refunds"))
    op.add_column("admissions", sa.Column(
        "mdtrt_cert_type", sa.Text, comment="the credential the person was admitted with (NHSA code)"))
    op.create_table(
        "person_cards",
        sa.Column("psn_no", sa.Text, primary_key=True),
        sa.Column("ssc_no", sa.Text, nullable=False,
                  comment="social security card number (社会保障卡号), from person.registered"))
    op.create_index("person_cards_by_ssc_no", "person_cards", ["ssc_no"])
    op.create_index("settlements_by_admission", "settlements", ["mdtrt_id"])


def downgrade() -> None:
    op.drop_index("settlements_by_admission", "settlements")
    op.drop_table("person_cards")
    op.drop_column("admissions", "mdtrt_cert_type")
    op.drop_column("fee_details", "init_feedetl_sn")
