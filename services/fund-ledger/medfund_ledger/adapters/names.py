"""The console's names table: regions and funds in Chinese and English.

The Chinese name of a fund is the policy packs' (``funds.*.name``); ``config/names.yaml`` holds the English
names of the funds and both names of each region. A code no pack or table names has no entry: the page shows
the code.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from medfund_ledger.adapters.packs import pack_set


@lru_cache(maxsize=1)
def names() -> dict[str, dict[str, dict[str, str]]]:
    table = yaml.safe_load(resources.files("medfund_ledger.config").joinpath("names.yaml").read_text("utf-8"))
    funds: dict[str, dict[str, str]] = {}
    for pack in pack_set():
        for fund in (pack.funds.pooled, pack.funds.catastrophic, pack.funds.assistance,
                     pack.funds.individual_account, pack.funds.risk_reserve):
            if fund is not None:
                funds.setdefault(fund.code, {"zh": fund.name})
    for code, english in table["funds"].items():
        funds.setdefault(str(code), {}).update(english)
    regions = {str(code): dict(both) for code, both in table["regions"].items()}
    return {"regions": regions, "funds": funds}
