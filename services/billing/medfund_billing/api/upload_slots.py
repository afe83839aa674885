"""A bound on the tax-bureau files one instance receives at once (each streams to disk and takes a connection)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from medfund_shared.errors import ApiError


class UploadSlots:
    """``size`` uploads at a time in this process; one more is refused at once (429, ``Retry-After``)."""

    def __init__(self, size: int, retry_after_seconds: int) -> None:
        self._free, self._retry_after = size, retry_after_seconds

    @contextmanager
    def hold(self) -> Iterator[None]:
        if self._free <= 0:
            raise ApiError(429, "too_many_uploads", "as many files as this instance receives at once are being "
                                                    "uploaded; send this one again after the delay given",
                           headers={"Retry-After": str(self._retry_after)})
        self._free -= 1
        try:
            yield
        finally:
            self._free += 1
