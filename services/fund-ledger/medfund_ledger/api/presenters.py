"""JSON shapes of pools, journal entries and alerts (yuan strings at the edge)."""

from __future__ import annotations

from medfund_ledger.app.institution_meters import InstitutionMeter
from medfund_ledger.app.pool_view import PoolView
from medfund_ledger.domain.alert_messages import alert_messages
from medfund_ledger.domain.pools import PoolFigures, PoolKey
from medfund_shared.money import Money


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else Money(fen).to_yuan()


def pool_json(pool_id: str, row, figures: PoolFigures, measures: dict) -> dict:
    key = PoolKey.parse(pool_id)
    budget = None
    if row is not None and (row.budget_due is not None or row.planned_expenditure is not None):
        budget = {"budget_due": _yuan(row.budget_due), "planned_expenditure": _yuan(row.planned_expenditure)}
    return {"pool_id": pool_id, "admdvs": key.admdvs, "fund_pay_type": key.fund_pay_type, "year": key.year,
            "income": figures.income.to_yuan(), "expenditure": figures.expenditure.to_yuan(),
            "brought_forward": figures.brought_forward.to_yuan(), "balance": figures.balance.to_yuan(),
            "payable": figures.payable.to_yuan(), "budget": budget,
            "measures": measures}


def pool_view_json(view: PoolView) -> dict:
    return pool_json(view.pool_id, view.row, view.figures, view.measures)


def meter_json(meter: InstitutionMeter) -> dict:
    return {"fixmedins_code": meter.fixmedins_code, "year": meter.year, "name": meter.name, "admdvs": meter.admdvs,
            "level": meter.level, "fund_paid": meter.fund_paid.to_yuan(),
            "annual_budget": None if meter.annual_budget is None else meter.annual_budget.to_yuan(),
            "budget_set_by_admin": meter.budget_set_by_admin,
            "used_of_budget": None if meter.used_of_budget is None else str(meter.used_of_budget)}


def entry_json(entry, lines) -> dict:
    return {"entry_id": entry.id, "entry_key": entry.entry_key, "kind": entry.kind, "origin": entry.origin,
            "effective_date": entry.effective_date.isoformat(), "recorded_at": entry.recorded_at.isoformat(),
            "memo": entry.memo,
            "lines": [line_json(line) for line in lines]}


def line_json(line) -> dict:
    return {"pool_id": line.pool_id, "account": line.account,
            "debit": _yuan(line.amount) if line.amount > 0 else "0.00",
            "credit": _yuan(-line.amount) if line.amount < 0 else "0.00"}


def alert_json(row) -> dict:
    return {"alert_id": row.alert_id, "rule": row.rule, "subject_type": row.subject_type,
            "subject_id": row.subject_id, "severity": row.severity, "state": row.state, "measure": row.measure,
            "threshold": row.threshold, "message": row.message,
            "messages": alert_messages(row.rule, row.measure, row.threshold),
            "evaluated_at": row.evaluated_at.isoformat(),
            "evidence": row.evidence, "acked_by": row.acked_by,
            "acked_at": row.acked_at.isoformat() if row.acked_at else None, "ack_note": row.ack_note}


def alert_as_of_json(payload: dict) -> dict:
    """An alert as a change of it left it (``GET /v1/alerts?as_of=``): the shape of :func:`alert_json`."""
    return {key: payload.get(key) for key in ("alert_id", "rule", "subject_type", "subject_id", "severity", "state",
                                              "measure", "threshold", "message", "evaluated_at",
                                              "evidence", "acked_by", "acked_at", "ack_note")} \
        | {"messages": alert_messages(payload["rule"], payload.get("measure"), payload["threshold"])}


def alert_change_json(payload: dict) -> dict:
    """A change of an alert as the stream sends it: the alert topic's payload (with who acknowledged), and the
    alert stated in each language."""
    return {**payload, "messages": alert_messages(payload["rule"], payload.get("measure"), payload["threshold"])}


def fact_json(fact) -> dict:
    """A settlement fact with the institution and kind of its journal entry."""
    return {"event_id": fact.event_id, "setl_id": fact.setl_id, "kind": fact.kind,
            "fixmedins_code": fact.fixmedins_code, "admdvs": fact.admdvs, "year": fact.year,
            "pooled_pool_id": fact.pooled_pool_id, "setl_date": fact.setl_date.isoformat(),
            "inpatient": fact.inpatient != 0, "medfee_sumamt": _yuan(fact.medfee_sumamt),
            "inscp_scp_amt": _yuan(fact.inscp_scp_amt), "fund_pay_sumamt": _yuan(fact.fund_pay_sumamt),
            "pooled_fund_paid": _yuan(fact.pooled_fund_paid)}


def change_json(change) -> dict:
    """One published change of an alert, as the alert's history shows it."""
    p = change.payload
    return {"change_id": change.id, "at": change.created_at.isoformat(), "state": p["state"],
            "severity": p["severity"], "measure": p.get("measure"), "threshold": p["threshold"],
            "evaluated_at": p.get("evaluated_at"), "acked_by": p.get("acked_by"), "ack_note": p.get("ack_note")}
