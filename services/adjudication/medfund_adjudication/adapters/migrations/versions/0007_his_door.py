"""The HIS door: institutions' gateway credentials, signature nonces, sign-ins, and what a 2601 reverses."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column("institutions", sa.Column("paasid", sa.Text,
                                            comment="the gateway signature's x-tif-paasid; one institution each"))
    op.add_column("institutions", sa.Column(
        "passtoken_encrypted", sa.Text, comment="the signature's passtoken, Fernet-encrypted with the credentials key"))
    op.create_unique_constraint("institutions_paasid_key", "institutions", ["paasid"])
    op.create_table(
        "gateway_nonces",
        sa.Column("paasid", sa.Text, primary_key=True),
        sa.Column("nonce", sa.Text, primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        comment="x-tif-nonce values of signed gateway requests, kept for the signature window against replays")
    op.create_index("gateway_nonces_by_age", "gateway_nonces", ["seen_at"])
    op.create_table(
        "gateway_sign_ins",
        sa.Column("sign_no", sa.Text, primary_key=True),
        sa.Column("fixmedins_code", sa.Text, sa.ForeignKey("institutions.fixmedins_code"), nullable=False),
        sa.Column("opter_no", sa.Text, nullable=False),
        sa.Column("mac", sa.Text),
        sa.Column("ip", sa.Text),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_out_at", sa.DateTime(timezone=True)),
        comment="9001 sign-ins (9002 signs out): later gateway calls carry sign_no")
    op.add_column("admissions", sa.Column("cancelled_at", sa.DateTime(timezone=True),
                                          comment="set when a 2601 reversed the registration"))
    op.add_column("fee_details", sa.Column(
        "upload_key", sa.Text, comment="the request key (scope:institution:msgid) of the upload, for 2601"))


def downgrade() -> None:
    op.drop_column("fee_details", "upload_key")
    op.drop_column("admissions", "cancelled_at")
    op.drop_table("gateway_sign_ins")
    op.drop_table("gateway_nonces")
    op.drop_constraint("institutions_paasid_key", "institutions")
    op.drop_column("institutions", "passtoken_encrypted")
    op.drop_column("institutions", "paasid")
