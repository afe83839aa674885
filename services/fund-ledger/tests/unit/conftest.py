"""The fund ledger's unit tests: the helpers next to this file (``ledger_fakes``) are importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
