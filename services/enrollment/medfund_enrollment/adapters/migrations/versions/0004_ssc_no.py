"""A person's optional social-security card number (社会保障卡号)."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("persons", sa.Column("ssc_no", sa.Text, comment="social-security card number (社会保障卡号), optional"))


def downgrade() -> None:
    op.drop_column("persons", "ssc_no")
