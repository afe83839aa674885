"""The bench is run from its folder (``PYTHONPATH=bench``), not installed: its tests import it the same way."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
