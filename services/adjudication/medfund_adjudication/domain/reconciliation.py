"""Daily reconciliation (3201): the hospital's totals against ours, and a description of any difference."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_shared.money import Money

MATCH, MISMATCH = "0", "1"


@dataclass(frozen=True)
class Totals:
    fixmedins_setl_cnt: int
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    acct_pay: Money


@dataclass(frozen=True)
class Statement:
    stmt_rslt: str
    stmt_rslt_dscr: str


def reconcile(theirs: Totals, ours: Totals) -> Statement:
    """``"0"`` when every total agrees, else ``"1"`` with each difference spelled out."""
    differences = [f"{name}: hospital {getattr(theirs, name)}, insurer {getattr(ours, name)}"
                   for name in ("fixmedins_setl_cnt", "medfee_sumamt", "fund_pay_sumamt", "acct_pay")
                   if getattr(theirs, name) != getattr(ours, name)]
    if not differences:
        return Statement(MATCH, f"totals agree: {ours.fixmedins_setl_cnt} settlements, "
                                f"medfee_sumamt {ours.medfee_sumamt}")
    return Statement(MISMATCH, "; ".join(differences))
