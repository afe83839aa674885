"""Why a settlement is refused, in words a hospital cashier can act on."""

from medfund_shared.refusal import Refusal


class SettlementRefused(Refusal):
    """The visit cannot be settled under the pack in force; ``code`` is stable, ``message`` is readable (422)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
