"""Settlements and the funds' payments as Prometheus counters, counted once each recorded settlement or reversal
has committed (a replayed answer counts nothing).

Amounts are whole fen (exact: a counter holds integers exactly up to 2^53 fen); a reversal counts under
``kind="reversal"`` with the amounts it takes back, as positive numbers, so the net is settlements less
reversals.
"""

from __future__ import annotations

from prometheus_client import Counter

from medfund_adjudication.domain.settlement_record import SettlementRecord

LABELS = ["admdvs", "insutype", "institution_level", "kind"]
SETTLEMENTS = Counter("medfund_settlements_total", "settlements and reversals recorded", LABELS)
MEDICAL_FEES = Counter("medfund_settlement_medical_fees_fen_total",
                       "medical fees (medfee_sumamt) of recorded settlements and reversals, fen", LABELS)
FUND_PAYMENTS = Counter("medfund_fund_payments_fen_total",
                        "what each fund paid (setldetail fund_payamt) in recorded settlements and reversals, fen",
                        ["admdvs", "insutype", "fund_pay_type", "institution_level", "kind"])


def recorded(record: SettlementRecord, institution_level: str) -> None:
    """Count one committed settlement or reversal."""
    labels = (record.admdvs, record.insutype, institution_level, record.kind)
    SETTLEMENTS.labels(*labels).inc()
    MEDICAL_FEES.labels(*labels).inc(abs(record.result.medfee_sumamt.fen))
    for row in record.result.setldetail:
        FUND_PAYMENTS.labels(record.admdvs, record.insutype, row.fund_pay_type, institution_level,
                             record.kind).inc(abs(row.fund_payamt.fen))
