"""Premium payments received from the tax bureau as Prometheus counters, counted once their transaction
committed: a voucher seen before (a duplicate or a conflict) counts nothing. Amounts are whole fen (exact)."""

from __future__ import annotations

from collections import Counter as CollectionsCounter
from collections.abc import Iterable

from prometheus_client import Counter

from medfund_billing.domain.payment_record import PaymentRecord

LABELS = ["admdvs", "insutype", "channel"]
PAYMENTS = Counter("medfund_payments_received_total", "tax-bureau payment records accepted (new vouchers)", LABELS)
AMOUNTS = Counter("medfund_payments_received_fen_total", "amounts of the accepted payment records, fen", LABELS)


def received(records: Iterable[PaymentRecord]) -> None:
    """Counted per label set, so a file chunk touches each counter once."""
    counts, fen = CollectionsCounter(), CollectionsCounter()
    for record in records:
        labels = (record.admdvs, record.insutype, record.channel)
        counts[labels] += 1
        fen[labels] += record.amount.fen
    for labels, count in counts.items():
        PAYMENTS.labels(*labels).inc(count)
        AMOUNTS.labels(*labels).inc(fen[labels])
