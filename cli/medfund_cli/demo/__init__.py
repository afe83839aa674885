"""``medfund demo``: a living demo county (Shizhu, 500240) driven end to end through the public APIs."""
