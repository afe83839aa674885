"""The vendored browser libraries are the pinned npm releases, byte for byte (static/vendor/VENDORED.md)."""

import hashlib
from pathlib import Path

LEDGER = Path(__file__).parents[2]
PINNED = {
    LEDGER / "medfund_ledger/static/vendor/chart.umd.min.js":
        "87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2",
    LEDGER / "tests/integration/vendor/axe.min.js": "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c",
}


def test_each_vendored_file_is_its_pinned_release():
    for path, sha256 in PINNED.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, path.name
