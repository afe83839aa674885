"""Startup wiring: the policy packs every use case selects from."""

from medfund_shared.context import ServiceContext
from medfund_shared.policy.catalogue import PolicyCatalogue


async def load_packs(context: ServiceContext) -> None:
    context.extras["packs"] = PolicyCatalogue.load()
