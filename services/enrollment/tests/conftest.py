"""Enrollment tests: the helpers next to this file are importable from unit and integration tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
