"""Each rule's alert stated in Chinese and English from its rule, measure and threshold (figures by hand)."""

from __future__ import annotations

import pytest

from medfund_ledger.domain.alert_messages import TEMPLATES, alert_messages
from medfund_ledger.domain.warnings import POOL_RULES


@pytest.mark.parametrize(("rule", "measure", "threshold", "zh", "en"), [
    ("institution_budget", "0.9000", "0.8000", "已用年度总额 90.00%（阈值 80.00%）",
     "90.00% of the global budget used (threshold 80.00%)"),
    ("burn_pace", "0.4655", "0.15", "支出进度超出时间进度 46.55%（阈值 15.00%）",
     "Spending ahead of the year elapsed by 46.55% (threshold 15.00%)"),
    ("reserve_months", "2.00", "3", "可支付 2.00 个月（阈值 3 个月）", "2.00 months of reserve (threshold 3 months)"),
    ("current_deficit", "3737647.06", "0.00", "收支缺口 3737647.06 元（阈值 0.00 元）",
     "Deficit of 3737647.06 yuan (threshold 0.00 yuan)"),
    ("large_claim", "150000.00", "100000", "单笔基金支付 150000.00 元（阈值 100000 元）",
     "Fund payment of 150000.00 yuan in one settlement (threshold 100000 yuan)"),
    ("cost_spike", "0.33335", "0.2", "次均统筹基金支付较基期上涨 33.34%（阈值 20.00%）",
     "Fund payment per inpatient settlement up 33.34% on the baseline (threshold 20.00%)"),
    ("over_accumulation", "-0.0500", "0.15", "结余率 -5.00%（阈值 15.00%）",
     "Surplus of -5.00% of income (threshold 15.00%)"),
])
def test_an_alert_reads_in_both_languages(rule, measure, threshold, zh, en):
    assert alert_messages(rule, measure, threshold) == {"zh": zh, "en": en}


def test_an_undefined_measure_says_the_alert_resolves():
    assert alert_messages("reserve_months", None, "3") == {"zh": "测量值无定义，预警解除",
                                                           "en": "Measure undefined: the alert resolves"}


def test_a_rule_without_templates_has_no_messages():
    assert alert_messages("a_rule_of_the_future", "1", "1") is None


def test_every_rule_has_a_text_in_every_language():
    rules = {*POOL_RULES, "institution_budget", "large_claim"}
    for language in ("zh", "en"):
        assert rules | {"undefined"} == set(TEMPLATES[language])
