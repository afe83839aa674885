"""An alert stated in each language the console speaks, from its data alone (rule, measure, threshold): the one
place the rule texts live per language.

The ledger's own ``message`` (English, with the figures behind the measure) stays what the alert topic documents;
these texts are what the console headlines, rendered again whenever the alert is read, so a change of wording
needs no change of the stored alerts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

LANGUAGES = ("zh", "en")
_PERCENT = Decimal("0.01")

_UNITS = {"current_deficit": "yuan", "reserve_months": "months", "burn_pace": "ratio", "over_accumulation": "ratio",
          "institution_budget": "ratio", "cost_spike": "ratio", "large_claim": "yuan"}
"""How each rule's measure and threshold read: yuan amounts, months, or ratios shown as percentages."""

TEMPLATES = {
    "zh": {
        "current_deficit": "收支缺口 {measure} 元（阈值 {threshold} 元）",
        "reserve_months": "可支付 {measure} 个月（阈值 {threshold} 个月）",
        "burn_pace": "支出进度超出时间进度 {measure}（阈值 {threshold}）",
        "over_accumulation": "结余率 {measure}（阈值 {threshold}）",
        "institution_budget": "已用年度总额 {measure}（阈值 {threshold}）",
        "cost_spike": "次均统筹基金支付较基期上涨 {measure}（阈值 {threshold}）",
        "large_claim": "单笔基金支付 {measure} 元（阈值 {threshold} 元）",
        "undefined": "测量值无定义，预警解除",
    },
    "en": {
        "current_deficit": "Deficit of {measure} yuan (threshold {threshold} yuan)",
        "reserve_months": "{measure} months of reserve (threshold {threshold} months)",
        "burn_pace": "Spending ahead of the year elapsed by {measure} (threshold {threshold})",
        "over_accumulation": "Surplus of {measure} of income (threshold {threshold})",
        "institution_budget": "{measure} of the global budget used (threshold {threshold})",
        "cost_spike": "Fund payment per inpatient settlement up {measure} on the baseline (threshold {threshold})",
        "large_claim": "Fund payment of {measure} yuan in one settlement (threshold {threshold} yuan)",
        "undefined": "Measure undefined: the alert resolves",
    },
}


def alert_messages(rule: str, measure: str | None, threshold: str) -> dict[str, str] | None:
    """``{"zh": …, "en": …}`` for an alert of ``rule`` (measure and threshold as the alert carries them, decimal
    text); None for a rule without templates (the ledger's message is all there is)."""
    unit = _UNITS.get(rule)
    if unit is None:
        return None
    if measure is None:
        return {lang: TEMPLATES[lang]["undefined"] for lang in LANGUAGES}
    return {lang: TEMPLATES[lang][rule].format(measure=_shown(measure, unit), threshold=_shown(threshold, unit))
            for lang in LANGUAGES}


def _shown(value: str, unit: str) -> str:
    if unit != "ratio":
        return value
    return f"{(Decimal(value) * 100).quantize(_PERCENT, rounding=ROUND_HALF_UP)}%"
