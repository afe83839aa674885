"""Step 1: split every fee item into full self-pay, over-ceiling, class B pre-self-pay and policy scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from medfund_adjudication.domain.settlement.visit import CatalogueEntry, FeeItem, ItemClass
from medfund_shared.money import FEN_PER_YUAN, Money, round_half_up
from medfund_shared.policy.schema import Itemisation


@dataclass(frozen=True)
class ItemResult:
    """The 2301 answer for one fee item."""

    feedetl_sn: str
    med_list_codg: str
    item_class: ItemClass
    in_catalogue: bool
    det_item_fee_sumamt: Money
    cnt: Decimal
    pric: Decimal
    pric_uplmt_amt: Decimal | None
    selfpay_prop: Decimal
    fulamt_ownpay_amt: Money
    overlmt_amt: Money
    preselfpay_amt: Money
    inscp_scp_amt: Money


@dataclass(frozen=True)
class ItemisedFees:
    items: tuple[ItemResult, ...]
    medfee_sumamt: Money
    fulamt_ownpay_amt: Money
    overlmt_selfpay: Money
    preselfpay_amt: Money
    inscp_scp_amt: Money

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(f"item {i.feedetl_sn}: code {i.med_list_codg} is not in the catalogue, paid as class C"
                     for i in self.items if not i.in_catalogue)


def _over_ceiling(item: FeeItem, ceiling: Decimal | None) -> Money:
    if ceiling is None:
        return Money(0)
    excess = round_half_up(max(Decimal(0), (item.pric - ceiling) * item.cnt * FEN_PER_YUAN))
    return Money(min(item.det_item_fee_sumamt.fen, excess))


def itemise_one(item: FeeItem, entry: CatalogueEntry | None, rules: Itemisation) -> ItemResult:
    fee = item.det_item_fee_sumamt
    item_class = entry.item_class if entry is not None else "C"
    ceiling = entry.price_ceiling if entry is not None else None
    ownpay = over = pre = scope = Money(0)
    if item_class == "C":
        ownpay = fee
        selfpay_prop = Decimal(1)
    else:
        over = _over_ceiling(item, ceiling)
        inside = fee - over
        selfpay_prop = rules.class_b_preselfpay if item_class == "B" else Decimal(0)
        pre = inside.times(selfpay_prop)
        scope = inside - pre
    return ItemResult(item.feedetl_sn, item.med_list_codg, item_class, entry is not None, fee, item.cnt,
                      item.pric, ceiling, selfpay_prop, ownpay, over, pre, scope)


def itemise(items: tuple[FeeItem, ...], catalogue: Mapping[str, CatalogueEntry], rules: Itemisation) -> ItemisedFees:
    results = tuple(itemise_one(item, catalogue.get(item.med_list_codg), rules) for item in items)

    def total(attribute: str) -> Money:
        return Money(sum(getattr(r, attribute).fen for r in results))

    return ItemisedFees(results, total("det_item_fee_sumamt"), total("fulamt_ownpay_amt"), total("overlmt_amt"),
                        total("preselfpay_amt"), total("inscp_scp_amt"))
