"""Every transaction the gateway serves, by ``infno``."""

from __future__ import annotations

from medfund_adjudication.api.nhsa import message_reversal, queries, sign_in, transactions
from medfund_adjudication.api.nhsa.transactions import Transaction

TRANSACTIONS: dict[str, Transaction] = {**transactions.TRANSACTIONS, **sign_in.TRANSACTIONS,
                                        **message_reversal.TRANSACTIONS, **queries.TRANSACTIONS}
