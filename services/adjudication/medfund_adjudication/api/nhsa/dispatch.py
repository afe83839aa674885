"""Every transaction the gateway serves, by ``infno``."""

from __future__ import annotations

from medfund_adjudication.api.nhsa import sign_in, transactions
from medfund_adjudication.api.nhsa.transactions import Transaction

TRANSACTIONS: dict[str, Transaction] = {**transactions.TRANSACTIONS, **sign_in.TRANSACTIONS}
