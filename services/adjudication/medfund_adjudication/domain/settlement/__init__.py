"""The settlement engine: pure functions from a visit, a policy pack and year-to-date totals to amounts."""

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.engine import settle
from medfund_adjudication.domain.settlement.errors import SettlementRefused
from medfund_adjudication.domain.settlement.itemisation import ItemResult
from medfund_adjudication.domain.settlement.result import FundPayment, SettlementResult
from medfund_adjudication.domain.settlement.reversal import reverse
from medfund_adjudication.domain.settlement.visit import CatalogueEntry, FeeItem, Institution, Person, Visit

__all__ = ["Accumulators", "CatalogueEntry", "FeeItem", "FundPayment", "Institution", "ItemResult", "Person",
           "SettlementRefused", "SettlementResult", "Visit", "reverse", "settle"]
