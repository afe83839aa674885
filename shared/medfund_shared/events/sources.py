"""The CloudEvents ``source`` of each producer: one name per service, written once."""

from __future__ import annotations

ENROLLMENT = "medfund/enrollment"
BILLING = "medfund/billing"
ADJUDICATION = "medfund/adjudication"
FUND_LEDGER = "medfund/fund-ledger"
