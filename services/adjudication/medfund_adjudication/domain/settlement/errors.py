"""Why a settlement is refused, in words a hospital cashier can act on."""


class SettlementRefused(ValueError):
    """The visit cannot be settled under the pack in force; ``code`` is stable, ``message`` is readable."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)
