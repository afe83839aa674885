"""Startup wiring: the policy packs every use case selects from, and the key of the hospitals' passtokens."""

from medfund_adjudication.adapters.passtoken_cipher import PasstokenCipher
from medfund_shared.context import ServiceContext
from medfund_shared.policy.pack_set import PackSet


async def load_packs(context: ServiceContext) -> None:
    context.extras["packs"] = PackSet.load()


async def load_credentials_key(context: ServiceContext) -> None:
    """Production refuses to start with the development key (as with the JWT secret)."""
    context.settings.validate_credentials_key()
    context.extras["passtokens"] = PasstokenCipher(context.settings.credentials_key)
