"""Refund lines (退费明细): a negative fee detail that takes back part or all of an earlier one of the same visit.

A refund line carries ``init_feedetl_sn``, the detail it refunds, and a negative quantity and amount. It may
refund a detail that is not settled yet (a settled one is taken back by reversing its settlement), never more
than the detail's quantity and amount in total, and never another refund. The settlement sees each detail net
of its refunds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from medfund_adjudication.domain.refusal import Refused
from medfund_adjudication.domain.settlement import FeeItem
from medfund_shared.money import Money


@dataclass(frozen=True)
class Refundable:
    """An uploaded, uncancelled fee detail a refund line may point at, with what its refunds took back so far."""

    feedetl_sn: str
    cnt: Decimal
    amount: Money
    settled: bool = False
    is_refund: bool = False
    refunded_cnt: Decimal = Decimal(0)
    refunded_amount: Money = Money(0)


def apply_refund(mdtrt_id: str, feedetl_sn: str, init_feedetl_sn: str, cnt: Decimal, amount: Money,
                 target: Refundable | None) -> Refundable:
    """The target once this refund line (``cnt`` and ``amount`` negative) is taken off it, or why it cannot be."""
    where = f"refund line {feedetl_sn}: init_feedetl_sn {init_feedetl_sn}"
    if target is None:
        raise Refused("not_found", f"{where} is not an uploaded fee detail of mdtrt_id {mdtrt_id}",
                      "init_feedetl_sn")
    if target.is_refund:
        raise Refused("invalid", f"{where} is itself a refund line", "init_feedetl_sn")
    if target.settled:
        raise Refused("conflict", f"{where} is already settled; reverse that settlement (2305/2208) to refund it",
                      "init_feedetl_sn")
    refunded_cnt, refunded_amount = target.refunded_cnt - cnt, target.refunded_amount - amount
    if refunded_cnt > target.cnt:
        raise Refused("invalid", f"{where}: refunds of {refunded_cnt} exceed its quantity {target.cnt}", "cnt")
    if refunded_amount > target.amount:
        raise Refused("invalid", f"{where}: refunds of {refunded_amount} exceed its amount {target.amount}",
                      "det_item_fee_sumamt")
    return replace(target, refunded_cnt=refunded_cnt, refunded_amount=refunded_amount)


def net_of_refunds(lines: Sequence[tuple[FeeItem, str | None]]) -> tuple[FeeItem, ...]:
    """Each detail with its refunds (``(line, init_feedetl_sn)``) taken off, in the details' order; a detail
    refunded entirely is left out. A refund of a detail not among ``lines`` (settled while the refund was being
    uploaded) is refused."""
    details = [item for item, refunds in lines if refunds is None]
    taken = {item.feedetl_sn: (Decimal(0), Money(0)) for item in details}
    for item, refunds in lines:
        if refunds is not None:
            if refunds not in taken:
                raise Refused("conflict", f"refund line {item.feedetl_sn} refunds detail {refunds}, which is settled "
                                          "already: cancel the refund line (2302)", "init_feedetl_sn")
            cnt, amount = taken[refunds]
            taken[refunds] = (cnt + item.cnt, amount + item.det_item_fee_sumamt)
    net = []
    for item in details:
        cnt, amount = taken[item.feedetl_sn]
        remaining = replace(item, cnt=item.cnt + cnt, det_item_fee_sumamt=item.det_item_fee_sumamt + amount)
        if remaining.cnt or remaining.det_item_fee_sumamt:
            net.append(remaining)
    return tuple(net)
