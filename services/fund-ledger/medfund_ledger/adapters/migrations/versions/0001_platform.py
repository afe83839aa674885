"""Platform tables: outbox, consumer_offsets, processed_events, dead_letters, as ``medfund_shared.db`` creates them
for every service (frozen there)."""

from medfund_shared.db import create_platform_tables as upgrade
from medfund_shared.db import drop_platform_tables as downgrade

revision = "0001"
down_revision = None
