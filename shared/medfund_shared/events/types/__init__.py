"""Every shipped event type, one module per producing service; importing this registers them."""

from medfund_shared.events.types import alerts, billing, claims, enrollment, ledger  # noqa: F401
