"""What a load run gives every figure (ours and the trivial-endpoint limit), so ratios compare like with like.

The requests themselves are sent by vegeta (:mod:`medfund_bench.vegeta`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]
